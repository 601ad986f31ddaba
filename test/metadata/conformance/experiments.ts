/** Experiments: FORMATS.md §8 items 1–14, 25, 26. */
import { describe, expect, it } from 'vitest'
import {
  createExperiment,
  createRun,
  expectError,
  sleep,
  uniqueName,
  useStore,
  type StoreFactory,
} from './harness.js'

export function describeExperiments(factory: StoreFactory): void {
  describe('experiments on a new store', () => {
    const handle = useStore(factory)

    it('lists exactly the active Default experiment 0 (item 1)', async () => {
      const { store } = handle()
      for (const viewType of ['ACTIVE_ONLY', 'ALL'] as const) {
        const page = await store.searchExperiments({ viewType })
        expect(page.nextPageToken).toBeNull()
        expect(page.items.map((e) => [e.experimentId, e.name, e.lifecycleStage])).toEqual([
          ['0', 'Default', 'active'],
        ])
      }
      expect((await store.searchExperiments({ viewType: 'DELETED_ONLY' })).items).toEqual([])
      const byId = await store.getExperiment('0')
      expect(byId).toMatchObject({ experimentId: '0', name: 'Default', lifecycleStage: 'active' })
      expect(byId.tags).toEqual([])
      expect(await store.getExperimentByName('Default')).toEqual(byId)
    })

    it('numbers new experiments as capabilities.experimentIdFormat says (item 3)', async () => {
      const { store } = handle()
      const ids = [
        await store.createExperiment('first'),
        await store.createExperiment('second'),
        await store.createExperiment('third'),
      ]
      if (store.capabilities.experimentIdFormat === 'sequential') {
        expect(ids).toEqual(['1', '2', '3'])
      } else {
        for (const id of ids) expect(id).toMatch(/^[1-9]\d{17}$/)
        expect(new Set(ids).size).toBe(3)
      }
      for (const id of ids) expect((await store.getExperiment(id)).experimentId).toBe(id)
    })

    it('deletes the Default experiment only where the store allows it (item 2)', async () => {
      const { store } = handle()
      if (store.capabilities.canDeleteDefaultExperiment) {
        await store.deleteExperiment('0')
        expect((await store.getExperiment('0')).lifecycleStage).toBe('deleted')
        const active = await store.searchExperiments()
        expect(active.items.map((e) => e.experimentId)).not.toContain('0')
        const deleted = await store.searchExperiments({ viewType: 'DELETED_ONLY' })
        expect(deleted.items.map((e) => e.experimentId)).toEqual(['0'])
      } else {
        await expectError(
          store.deleteExperiment('0'),
          'INVALID_PARAMETER_VALUE',
          'Cannot delete the default experiment',
        )
        expect((await store.getExperiment('0')).lifecycleStage).toBe('active')
      }
    })
  })

  describe('experiments', () => {
    const handle = useStore(factory)

    it('refuses an empty or over-long name (item 4)', async () => {
      const { store } = handle()
      await expectError(
        store.createExperiment(''),
        'INVALID_PARAMETER_VALUE',
        'Invalid experiment name',
      )
      await expectError(
        store.createExperiment('n'.repeat(501)),
        'INVALID_PARAMETER_VALUE',
        /exceeds the maximum length/,
      )
    })

    it('refuses a name taken by an active or a deleted experiment (item 5)', async () => {
      const { store } = handle()
      const name = uniqueName('dup')
      await store.createExperiment(name)
      const error = await expectError(store.createExperiment(name), 'RESOURCE_ALREADY_EXISTS')
      expect(error.message).toContain(name)
      const deletedName = uniqueName('dup-deleted')
      await store.deleteExperiment(await store.createExperiment(deletedName))
      await expectError(store.createExperiment(deletedName), 'RESOURCE_ALREADY_EXISTS', deletedName)
    })

    it('sets creation_time and last_update_time at creation (item 6)', async () => {
      const { store } = handle()
      const before = Date.now()
      const id = await createExperiment(store, 'times')
      const after = Date.now()
      const experiment = await store.getExperiment(id)
      expect(experiment.creationTime).not.toBeNull()
      expect(experiment.creationTime!).toBeGreaterThanOrEqual(before)
      expect(experiment.creationTime!).toBeLessThanOrEqual(after)
      expect(experiment.lastUpdateTime).toBe(experiment.creationTime)
    })

    it('derives the artifact location from the root, keeps an explicit one (item 7)', async () => {
      const { store, defaultArtifactRoot } = handle()
      const id = await createExperiment(store, 'location')
      const experiment = await store.getExperiment(id)
      expect(experiment.artifactLocation.endsWith(`/${id}`)).toBe(true)
      if (defaultArtifactRoot !== undefined) {
        expect(experiment.artifactLocation).toBe(`${defaultArtifactRoot}/${id}`)
      }
      const explicit = 's3://conformance-bucket/some/prefix'
      const other = await store.createExperiment(uniqueName('explicit'), {
        artifactLocation: explicit,
      })
      expect((await store.getExperiment(other)).artifactLocation).toBe(explicit)
    })

    it('returns the tags given at creation, sorted by key (item 8)', async () => {
      const { store } = handle()
      const name = uniqueName('tagged')
      const id = await store.createExperiment(name, {
        tags: [
          { key: 'team', value: 'ml' },
          { key: 'a.first', value: 'multi\nline ✓' },
          { key: 'empty', value: '' },
        ],
      })
      const expected = [
        { key: 'a.first', value: 'multi\nline ✓' },
        { key: 'empty', value: '' },
        { key: 'team', value: 'ml' },
      ]
      expect((await store.getExperiment(id)).tags).toEqual(expected)
      expect((await store.getExperimentByName(name))?.tags).toEqual(expected)
    })

    it('deletes and restores an experiment together with its runs (items 9, 10)', async () => {
      const { store } = handle()
      const id = await createExperiment(store, 'lifecycle')
      const runs = [await createRun(store, id), await createRun(store, id)]
      const created = await store.getExperiment(id)
      await sleep(5)

      await store.deleteExperiment(id)
      const deleted = await store.getExperiment(id)
      expect(deleted.lifecycleStage).toBe('deleted')
      expect(deleted.lastUpdateTime!).toBeGreaterThan(created.lastUpdateTime!)
      const ids = async (viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL') =>
        (await store.searchExperiments({ viewType })).items.map((e) => e.experimentId)
      expect(await ids('ACTIVE_ONLY')).not.toContain(id)
      expect(await ids('DELETED_ONLY')).toContain(id)
      expect(await ids('ALL')).toContain(id)
      for (const run of runs) {
        const info = (await store.getRun(run.info.runId)).info
        expect(info.lifecycleStage).toBe('deleted')
        expect(info.deletedTime).not.toBeNull()
      }
      const deletedRuns = await store.searchRuns({ experimentIds: [id], viewType: 'DELETED_ONLY' })
      expect(deletedRuns.items).toHaveLength(2)
      expect((await store.searchRuns({ experimentIds: [id] })).items).toEqual([])
      await sleep(5)

      await store.restoreExperiment(id)
      const restored = await store.getExperiment(id)
      expect(restored.lifecycleStage).toBe('active')
      expect(restored.lastUpdateTime!).toBeGreaterThan(deleted.lastUpdateTime!)
      expect(await ids('ACTIVE_ONLY')).toContain(id)
      expect(await ids('DELETED_ONLY')).not.toContain(id)
      for (const run of runs) {
        const info = (await store.getRun(run.info.runId)).info
        expect(info.lifecycleStage).toBe('active')
        expect(info.deletedTime).toBeNull()
      }
    })

    it('reports unknown and already deleted experiments on delete and restore', async () => {
      const { store } = handle()
      const missing =
        store.capabilities.experimentIdFormat === 'sequential' ? '987654' : '123456789012345678'
      await expectError(store.deleteExperiment(missing), 'RESOURCE_DOES_NOT_EXIST')
      await expectError(store.restoreExperiment(missing), 'RESOURCE_DOES_NOT_EXIST')
      const id = await createExperiment(store, 'twice')
      await expectError(store.restoreExperiment(id), 'RESOURCE_DOES_NOT_EXIST')
      await store.deleteExperiment(id)
      await expectError(store.deleteExperiment(id), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('renames, refusing empty, taken and deleted cases (item 12)', async () => {
      const { store } = handle()
      const oldName = uniqueName('rename-old')
      const id = await store.createExperiment(oldName)
      const created = await store.getExperiment(id)
      await sleep(5)
      const newName = uniqueName('rename-new')
      await store.renameExperiment(id, newName)
      const renamed = await store.getExperiment(id)
      expect(renamed.name).toBe(newName)
      expect(renamed.lastUpdateTime!).toBeGreaterThan(created.lastUpdateTime!)
      expect(await store.getExperimentByName(oldName)).toBeNull()
      expect((await store.getExperimentByName(newName))?.experimentId).toBe(id)

      await expectError(store.renameExperiment(id, ''), 'INVALID_PARAMETER_VALUE')
      const takenName = uniqueName('rename-taken')
      await store.createExperiment(takenName)
      await expectError(store.renameExperiment(id, takenName), 'RESOURCE_ALREADY_EXISTS')
      expect((await store.getExperiment(id)).name).toBe(newName)

      const gone = await createExperiment(store, 'rename-deleted')
      await store.deleteExperiment(gone)
      await expectError(
        store.renameExperiment(gone, uniqueName('x')),
        'INVALID_PARAMETER_VALUE',
        /non-active/,
      )
      const missing =
        store.capabilities.experimentIdFormat === 'sequential' ? '987654' : '123456789012345678'
      await expectError(store.renameExperiment(missing, uniqueName('x')), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('finds deleted experiments by name, null for unknown names (item 13)', async () => {
      const { store } = handle()
      const name = uniqueName('by-name')
      const id = await store.createExperiment(name)
      await store.deleteExperiment(id)
      const found = await store.getExperimentByName(name)
      expect(found).toMatchObject({ experimentId: id, name, lifecycleStage: 'deleted' })
      expect(await store.getExperimentByName(uniqueName('never-created'))).toBeNull()
    })

    it('rejects malformed ids and reports unknown ones (item 14)', async () => {
      const { store } = handle()
      if (store.capabilities.experimentIdFormat === 'sequential') {
        await expectError(
          store.getExperiment('invalid_id'),
          'INVALID_PARAMETER_VALUE',
          "Invalid experiment ID 'invalid_id'",
          'must be a valid integer',
        )
        await expectError(
          store.getExperiment('987654'),
          'RESOURCE_DOES_NOT_EXIST',
          'No Experiment with id=987654 exists',
        )
      } else {
        await expectError(store.getExperiment('bad/id'), 'INVALID_PARAMETER_VALUE')
        await expectError(
          store.getExperiment('123456789012345678'),
          'RESOURCE_DOES_NOT_EXIST',
          '123456789012345678',
        )
      }
    })

    it('sets, overwrites and isolates experiment tags (item 25)', async () => {
      const { store } = handle()
      const first = await createExperiment(store, 'tags-a')
      const second = await createExperiment(store, 'tags-b')
      await store.setExperimentTag(first, { key: 'k', value: 'v1' })
      await store.setExperimentTag(first, { key: 'k', value: 'v2' })
      await store.setExperimentTag(first, { key: 'multi', value: 'line 1\nline 2\n\ttabbed' })
      await store.setExperimentTag(second, { key: 'k', value: 'other' })
      expect((await store.getExperiment(first)).tags).toEqual([
        { key: 'k', value: 'v2' },
        { key: 'multi', value: 'line 1\nline 2\n\ttabbed' },
      ])
      expect((await store.getExperiment(second)).tags).toEqual([{ key: 'k', value: 'other' }])

      await store.setExperimentTag(first, { key: 'max', value: 'x'.repeat(5000) })
      const max = (await store.getExperiment(first)).tags.find((t) => t.key === 'max')
      expect(max?.value).toHaveLength(5000)
      if (store.capabilities.checksExperimentTagValueLength) {
        await expectError(
          store.setExperimentTag(first, { key: 'long', value: 'x'.repeat(5001) }),
          'INVALID_PARAMETER_VALUE',
          '5000',
        )
        const keys = (await store.getExperiment(first)).tags.map((t) => t.key)
        expect(keys).not.toContain('long')
      }
      await expectError(
        store.setExperimentTag(first, { key: 'a//b', value: 'v' }),
        'INVALID_PARAMETER_VALUE',
      )
      await store.deleteExperiment(second)
      await expectError(
        store.setExperimentTag(second, { key: 'k', value: 'late' }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('deletes an experiment tag and reports a missing one (item 26)', async () => {
      const { store } = handle()
      const id = await store.createExperiment(uniqueName('del-tag'), {
        tags: [
          { key: 'keep', value: '1' },
          { key: 'drop', value: '2' },
        ],
      })
      await store.deleteExperimentTag(id, 'drop')
      expect((await store.getExperiment(id)).tags).toEqual([{ key: 'keep', value: '1' }])
      await expectError(
        store.deleteExperimentTag(id, 'drop'),
        'RESOURCE_DOES_NOT_EXIST',
        'No tag with name: drop',
      )
    })
  })
}
