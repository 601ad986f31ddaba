/**
 * The ModelRegistryStore conformance suite, run by every backend through
 * `describeRegistryConformance(name, factory)`. Differences are read from
 * `store.capabilities`, never from the backend's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelRegistryStore } from '../../src/index.js'
import { expectError, sleep, uniqueName } from '../metadata/conformance/harness.js'

export interface RegistryHandle {
  store: ModelRegistryStore
  cleanup(): Promise<void>
}

/** Opens a FRESH, empty registry on every call. */
export type RegistryFactory = () => Promise<RegistryHandle>

const SOURCE = 's3://bucket/0/models/m-0123456789abcdef0123456789abcdef/artifacts'

export function describeRegistryConformance(name: string, factory: RegistryFactory): void {
  describe(`ModelRegistryStore conformance: ${name}`, () => {
    let handle: RegistryHandle | undefined
    beforeAll(async () => {
      handle = await factory()
    })
    afterAll(async () => {
      await handle?.cleanup()
    })
    const registry = () => handle!.store

    it('creates, reads, updates and deletes registered models', async () => {
      const store = registry()
      const name = uniqueName('model')
      const created = await store.createRegisteredModel(name, {
        description: 'first',
        tags: [{ key: 'owner', value: 'ml' }],
      })
      expect(created).toMatchObject({
        name,
        description: 'first',
        tags: [{ key: 'owner', value: 'ml' }],
        aliases: [],
        latestVersions: [],
      })
      expect(created.creationTimestamp).toBeGreaterThan(0)
      await expectError(
        store.createRegisteredModel(name),
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${name}) already exists.`,
      )
      await expectError(store.createRegisteredModel(''), 'INVALID_PARAMETER_VALUE')
      await sleep(2)
      const updated = await store.updateRegisteredModel(name, 'second')
      expect(updated.description).toBe('second')
      expect(updated.lastUpdatedTimestamp!).toBeGreaterThan(created.lastUpdatedTimestamp!)
      await store.setRegisteredModelTag(name, { key: 'domain', value: 'vision' })
      await store.setRegisteredModelTag(name, { key: 'owner', value: 'ops' })
      await store.deleteRegisteredModelTag(name, 'missing')
      expect((await store.getRegisteredModel(name)).tags).toEqual([
        { key: 'domain', value: 'vision' },
        { key: 'owner', value: 'ops' },
      ])
      await expectError(
        store.setRegisteredModelTag(name, { key: 'k', value: 'x'.repeat(5001) }),
        'INVALID_PARAMETER_VALUE',
      )
      await store.deleteRegisteredModel(name)
      await expectError(
        store.getRegisteredModel(name),
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${name} not found`,
      )
      await expectError(store.deleteRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('creates numbered versions and never reuses a deleted number', async () => {
      const store = registry()
      const name = uniqueName('versions')
      await store.createRegisteredModel(name)
      const v1 = await store.createModelVersion({
        name,
        source: SOURCE,
        runId: 'a'.repeat(32),
        modelId: 'm-0123456789abcdef0123456789abcdef',
        description: 'lr',
        tags: [{ key: 'validated', value: 'true' }],
      })
      expect(v1).toMatchObject({
        name,
        version: '1',
        currentStage: 'None',
        status: 'READY',
        source: SOURCE,
        storageLocation: SOURCE,
        runId: 'a'.repeat(32),
        description: 'lr',
        tags: [{ key: 'validated', value: 'true' }],
        aliases: [],
        modelId: store.capabilities.persistsModelVersionModelId
          ? 'm-0123456789abcdef0123456789abcdef'
          : null,
      })
      const v2 = await store.createModelVersion({ name, source: SOURCE })
      expect(v2.version).toBe('2')
      await store.deleteModelVersion(name, 2)
      await expectError(
        store.getModelVersion(name, '2'),
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=2) not found`,
      )
      const v3 = await store.createModelVersion({ name, source: `models:/${name}/1` })
      expect(v3.version).toBe('3')
      expect(v3.storageLocation).toBe(SOURCE)
      expect(await store.getModelVersionDownloadUri(name, 3)).toBe(SOURCE)
      await expectError(store.getModelVersion(name, 'x'), 'INVALID_PARAMETER_VALUE', 'integer')
      await expectError(
        store.createModelVersion({ name: uniqueName('absent'), source: SOURCE }),
        'RESOURCE_DOES_NOT_EXIST',
      )
      const updated = await store.updateModelVersion(name, 1, 'logistic regression')
      expect(updated.description).toBe('logistic regression')
      await store.setModelVersionTag(name, 1, { key: 'tmp', value: '1' })
      await store.deleteModelVersionTag(name, 1, 'tmp')
      expect((await store.getModelVersion(name, 1)).tags).toEqual([
        { key: 'validated', value: 'true' },
      ])
    })

    it('transitions stages, archives existing versions and reports latest versions', async () => {
      const store = registry()
      const name = uniqueName('stages')
      await store.createRegisteredModel(name)
      for (let i = 0; i < 3; i += 1) await store.createModelVersion({ name, source: SOURCE })
      await store.transitionModelVersionStage(name, 1, 'staging')
      await store.transitionModelVersionStage(name, 1, 'Production')
      const v2 = await store.transitionModelVersionStage(name, 2, 'production', true)
      expect(v2.currentStage).toBe('Production')
      expect((await store.getModelVersion(name, 1)).currentStage).toBe('Archived')
      await store.transitionModelVersionStage(name, 3, 'Archived')
      await expectError(
        store.transitionModelVersionStage(name, 3, 'Archived', true),
        'INVALID_PARAMETER_VALUE',
      )
      await expectError(
        store.transitionModelVersionStage(name, 3, 'Gone'),
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage',
      )
      const latest = await store.getLatestVersions(name)
      expect(latest.map((v) => `${v.currentStage}:${v.version}`)).toEqual([
        'Production:2',
        'Archived:3',
      ])
      const production = await store.getLatestVersions(name, ['production'])
      expect(production.map((v) => v.version)).toEqual(['2'])
      expect((await store.getRegisteredModel(name)).latestVersions.map((v) => v.version)).toEqual([
        '2',
        '3',
      ])
    })

    it('sets, moves, reads and deletes aliases', async () => {
      const store = registry()
      const name = uniqueName('aliases')
      await store.createRegisteredModel(name)
      await store.createModelVersion({ name, source: SOURCE })
      await store.createModelVersion({ name, source: SOURCE })
      await store.setRegisteredModelAlias(name, 'champion', 1)
      await store.setRegisteredModelAlias(name, 'challenger', '1')
      await store.setRegisteredModelAlias(name, 'champion', 2)
      const model = await store.getRegisteredModel(name)
      expect(model.aliases).toEqual([
        { alias: 'challenger', version: '1' },
        { alias: 'champion', version: '2' },
      ])
      expect((await store.getModelVersion(name, 1)).aliases).toEqual(['challenger'])
      expect((await store.getModelVersionByAlias(name, 'champion')).version).toBe('2')
      for (const bad of ['latest', 'v1', 'a b', '']) {
        await expectError(store.setRegisteredModelAlias(name, bad, 1), 'INVALID_PARAMETER_VALUE')
      }
      await expectError(store.setRegisteredModelAlias(name, 'ghost', 9), 'RESOURCE_DOES_NOT_EXIST')
      await store.deleteModelVersion(name, 1)
      await expectError(
        store.getModelVersionByAlias(name, 'challenger'),
        'INVALID_PARAMETER_VALUE',
        'Registered model alias challenger not found.',
      )
      await store.deleteRegisteredModelAlias(name, 'champion')
      await store.deleteRegisteredModelAlias(name, 'champion')
      expect((await store.getRegisteredModel(name)).aliases).toEqual([])
    })

    it('renames a model with its versions, tags and aliases', async () => {
      const store = registry()
      const name = uniqueName('old')
      const newName = uniqueName('new')
      await store.createRegisteredModel(name, { tags: [{ key: 'owner', value: 'llm-team' }] })
      await store.createModelVersion({ name, source: SOURCE, tags: [{ key: 'eval', value: 'em' }] })
      await store.setRegisteredModelAlias(name, 'prod', 1)
      const renamed = await store.renameRegisteredModel(name, newName)
      expect(renamed).toMatchObject({
        name: newName,
        tags: [{ key: 'owner', value: 'llm-team' }],
        aliases: [{ alias: 'prod', version: '1' }],
      })
      const version = await store.getModelVersion(newName, 1)
      expect(version).toMatchObject({ name: newName, tags: [{ key: 'eval', value: 'em' }] })
      await expectError(store.getRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST')
      const other = uniqueName('other')
      await store.createRegisteredModel(other)
      await expectError(store.renameRegisteredModel(other, newName), 'RESOURCE_ALREADY_EXISTS')
    })

    describe('search', () => {
      const prefix = uniqueName('search')
      const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]

      beforeAll(async () => {
        const store = registry()
        for (const [i, name] of names.entries()) {
          await store.createRegisteredModel(name, {
            tags: [{ key: 'team', value: i === 1 ? 'x' : 'y' }],
          })
          await store.createModelVersion({ name, source: `${SOURCE}/${i}`, runId: `run${i}` })
          await sleep(2)
        }
        await store.createModelVersion({ name: names[0]!, source: SOURCE, runId: 'run9' })
      })

      it('filters and orders registered models', async () => {
        const store = registry()
        const found = await store.searchRegisteredModels({ filter: `name LIKE '${prefix}-%'` })
        expect(found.items.map((m) => m.name)).toEqual(names)
        const byTag = await store.searchRegisteredModels({
          filter: `name LIKE '${prefix}%' AND tags.team = 'y'`,
          orderBy: ['name DESC'],
        })
        expect(byTag.items.map((m) => m.name)).toEqual([names[2], names[0]])
        const page = await store.searchRegisteredModels({
          filter: `name ILIKE '${prefix.toUpperCase()}-%'`,
          maxResults: 2,
          orderBy: ['creation_timestamp DESC'],
        })
        expect(page.items.map((m) => m.name)).toEqual([names[2], names[1]])
        const next = await store.searchRegisteredModels({
          filter: `name ILIKE '${prefix.toUpperCase()}-%'`,
          maxResults: 2,
          orderBy: ['creation_timestamp DESC'],
          pageToken: page.nextPageToken,
        })
        expect(next.items.map((m) => m.name)).toEqual([names[0]])
        expect(next.nextPageToken).toBeNull()
        await expectError(
          store.searchRegisteredModels({ filter: 'run_id = 1' }),
          'INVALID_PARAMETER_VALUE',
        )
        await expectError(
          store.searchRegisteredModels({ maxResults: 1001 }),
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('filters and orders model versions', async () => {
        const store = registry()
        const search = async (filter: string, orderBy?: string[]) =>
          (await store.searchModelVersions({ filter, orderBy })).items.map(
            (v) => `${v.name.slice(-1)}${v.version}`,
          )
        expect(await search(`name = '${names[0]}'`)).toEqual(['a2', 'a1'])
        expect(await search("run_id IN ('run1', 'run9')", ['name ASC'])).toEqual(['a2', 'b1'])
        expect(await search(`name LIKE '${prefix}%' AND version_number > 1`)).toEqual(['a2'])
        expect(await search(`source_path = '${SOURCE}/2'`)).toEqual(['c1'])
        expect(await search(`name LIKE '${prefix}%'`, ['name DESC', 'version_number ASC'])).toEqual(
          ['c1', 'b1', 'a1', 'a2'],
        )
        await expectError(search("name IN ('x')"), 'INVALID_PARAMETER_VALUE')
      })
    })
  })
}
