/** Runs: FORMATS.md §8 items 27–33, 37–40 and §2.7 (run names). */
import { describe, expect, it } from 'vitest'
import { createExperiment, createRun, expectError, useStore, type StoreFactory } from './harness.js'

const RUN_NAME = 'mlflow.runName'
const UNKNOWN_RUN = '0123456789abcdef0123456789abcdef'
const ACTIVE_ONLY_MESSAGE = /must be in (the )?'active'/

export function describeRuns(factory: StoreFactory): void {
  describe('runs', () => {
    const handle = useStore(factory)
    let experimentId = ''
    const experiment = async (): Promise<string> => {
      if (experimentId === '') experimentId = await createExperiment(handle().store, 'runs')
      return experimentId
    }

    it('creates a run with a random name mirrored in mlflow.runName (item 27)', async () => {
      const { store } = handle()
      const expId = await experiment()
      const before = Date.now()
      const run = await store.createRun({ experimentId: expId, userId: 'alice' })
      const after = Date.now()
      const { info } = run
      expect(info.runId).toMatch(/^[0-9a-f]{32}$/)
      expect(info.runName).toMatch(/^[a-z]+-[a-z]+-\d+$/)
      expect(info).toMatchObject({
        experimentId: expId,
        userId: 'alice',
        status: 'RUNNING',
        endTime: null,
        lifecycleStage: 'active',
        deletedTime: null,
      })
      expect(info.startTime!).toBeGreaterThanOrEqual(before)
      expect(info.startTime!).toBeLessThanOrEqual(after)
      expect(run.data).toEqual({
        metrics: [],
        params: [],
        tags: [{ key: RUN_NAME, value: info.runName }],
      })
      expect(run.inputs.datasetInputs).toEqual([])
      const location = (await store.getExperiment(expId)).artifactLocation
      expect(info.artifactUri).toBe(`${location}/${info.runId}/artifacts`)
    })

    it('reads back exactly what createRun returned (items 32, 33)', async () => {
      const { store } = handle()
      const created = await store.createRun({
        experimentId: await experiment(),
        userId: 'bob',
        startTime: 1_700_000_000_123,
        runName: 'explicit-name',
        tags: [
          { key: 'team', value: 'ml' },
          { key: 'a tag/with space', value: 'x' },
        ],
      })
      expect(created.info.startTime).toBe(1_700_000_000_123)
      expect(created.info.runName).toBe('explicit-name')
      expect(created.data.tags).toEqual([
        { key: 'a tag/with space', value: 'x' },
        { key: RUN_NAME, value: 'explicit-name' },
        { key: 'team', value: 'ml' },
      ])
      expect(await store.getRun(created.info.runId)).toEqual(created)
      await expectError(store.getRun(UNKNOWN_RUN), 'RESOURCE_DOES_NOT_EXIST', UNKNOWN_RUN)
    })

    it('generates a name when run_name is empty (item 28)', async () => {
      const { store } = handle()
      const run = await store.createRun({ experimentId: await experiment(), runName: '' })
      expect(run.info.runName).toMatch(/^[a-z]+-[a-z]+-\d+$/)
      expect(run.data.tags).toEqual([{ key: RUN_NAME, value: run.info.runName }])
    })

    it('reconciles run_name with the mlflow.runName tag (item 29)', async () => {
      const { store } = handle()
      const expId = await experiment()
      await expectError(
        store.createRun({
          experimentId: expId,
          runName: 'by-arg',
          tags: [{ key: RUN_NAME, value: 'by-tag' }],
        }),
        'INVALID_PARAMETER_VALUE',
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different " +
          "values (run_name='by-arg', mlflow.runName='by-tag').",
      )
      const fromTag = await store.createRun({
        experimentId: expId,
        tags: [{ key: RUN_NAME, value: 'by-tag' }],
      })
      expect(fromTag.info.runName).toBe('by-tag')
      expect(fromTag.data.tags).toEqual([{ key: RUN_NAME, value: 'by-tag' }])
      const both = await store.createRun({
        experimentId: expId,
        runName: 'same',
        tags: [{ key: RUN_NAME, value: 'same' }],
      })
      expect(both.info.runName).toBe('same')
      expect(both.data.tags).toEqual([{ key: RUN_NAME, value: 'same' }])
    })

    it('creates runs only in existing, active experiments (item 30)', async () => {
      const { store } = handle()
      const gone = await createExperiment(store, 'runs-deleted')
      await store.deleteExperiment(gone)
      await expectError(
        store.createRun({ experimentId: gone }),
        'INVALID_PARAMETER_VALUE',
        /active/,
      )
      const missing =
        store.capabilities.experimentIdFormat === 'sequential' ? '987654' : '123456789012345678'
      await expectError(store.createRun({ experimentId: missing }), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('updates status, end time and name (item 37)', async () => {
      const { store } = handle()
      const run = await createRun(store, await experiment(), { runName: 'before' })
      const finished = await store.updateRunInfo(run.info.runId, {
        status: 'FINISHED',
        endTime: 1_800_000_000_000,
      })
      expect(finished).toMatchObject({
        runId: run.info.runId,
        status: 'FINISHED',
        endTime: 1_800_000_000_000,
        runName: 'before',
      })
      expect((await store.getRun(run.info.runId)).info).toEqual(finished)

      const renamed = await store.updateRunInfo(run.info.runId, { runName: 'after' })
      expect(renamed).toMatchObject({ runName: 'after', status: 'FINISHED' })
      const read = await store.getRun(run.info.runId)
      expect(read.info.runName).toBe('after')
      expect(read.data.tags).toEqual([{ key: RUN_NAME, value: 'after' }])

      const killed = await store.updateRunInfo(run.info.runId, { status: 'KILLED' })
      expect(killed).toMatchObject({ runName: 'after', status: 'KILLED' })
      await expectError(
        store.updateRunInfo(UNKNOWN_RUN, { status: 'FAILED' }),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })

    it('keeps run_name and the mlflow.runName tag in step (item 38)', async () => {
      const { store } = handle()
      const { runId } = (await createRun(store, await experiment(), { runName: 'one' })).info
      await store.updateRunInfo(runId, { runName: 'two' })
      expect(await nameAndTag(runId)).toEqual(['two', 'two'])
      await store.deleteTag(runId, RUN_NAME)
      expect(await nameAndTag(runId)).toEqual(['two', undefined])
      await store.setTag(runId, { key: RUN_NAME, value: 'three' })
      expect(await nameAndTag(runId)).toEqual(['three', 'three'])
      await store.logBatch(runId, { tags: [{ key: RUN_NAME, value: 'four' }] })
      expect(await nameAndTag(runId)).toEqual(['four', 'four'])

      async function nameAndTag(id: string): Promise<[string, string | undefined]> {
        const run = await store.getRun(id)
        return [run.info.runName, run.data.tags.find((t) => t.key === RUN_NAME)?.value]
      }
    })

    it('deletes and restores runs idempotently (item 39)', async () => {
      const { store } = handle()
      const { runId } = (await createRun(store, await experiment())).info
      const before = Date.now()
      await store.deleteRun(runId)
      const deleted = (await store.getRun(runId)).info
      expect(deleted.lifecycleStage).toBe('deleted')
      expect(deleted.deletedTime!).toBeGreaterThanOrEqual(before)
      await store.deleteRun(runId)
      expect((await store.getRun(runId)).info.lifecycleStage).toBe('deleted')
      await store.restoreRun(runId)
      await store.restoreRun(runId)
      const restored = (await store.getRun(runId)).info
      expect(restored.lifecycleStage).toBe('active')
      expect(restored.deletedTime).toBeNull()
      await expectError(store.deleteRun(UNKNOWN_RUN), 'RESOURCE_DOES_NOT_EXIST')
      await expectError(store.restoreRun(UNKNOWN_RUN), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('refuses writes to a deleted run but still reads it (item 40)', async () => {
      const { store } = handle()
      const run = await createRun(store, await experiment())
      const { runId } = run.info
      await store.setTag(runId, { key: 'kept', value: 'yes' })
      await store.logMetric(runId, { key: 'm', value: 1, timestamp: 10, step: 0 })
      await store.deleteRun(runId)
      // Thunks: each write starts only when awaited, so no rejection goes unobserved.
      const writes: [string, () => Promise<unknown>][] = [
        ['setTag', () => store.setTag(runId, { key: 't', value: 'v' })],
        ['logMetric', () => store.logMetric(runId, { key: 'm', value: 2, timestamp: 11 })],
        ['logParam', () => store.logParam(runId, { key: 'p', value: 'v' })],
        ['deleteTag', () => store.deleteTag(runId, 'kept')],
        ['updateRunInfo', () => store.updateRunInfo(runId, { status: 'FINISHED' })],
        ['logBatch', () => store.logBatch(runId, { params: [{ key: 'p', value: 'v' }] })],
      ]
      for (const [name, write] of writes) {
        const error = await expectError(write(), 'INVALID_PARAMETER_VALUE')
        if (name !== 'updateRunInfo') expect(error.message, name).toMatch(ACTIVE_ONLY_MESSAGE)
      }
      const read = await store.getRun(runId)
      expect(read.info.lifecycleStage).toBe('deleted')
      expect(read.data.tags.find((t) => t.key === 'kept')?.value).toBe('yes')
      expect(read.data.params).toEqual([])
      expect(read.data.metrics.map((m) => m.value)).toEqual([1])
      const history = await store.getMetricHistory(runId, 'm')
      expect(history.items.map((m) => m.value)).toEqual([1])
    })

    it('names the unknown run on writes', async () => {
      const { store } = handle()
      await expectError(
        store.logMetric(UNKNOWN_RUN, { key: 'm', value: 1, timestamp: 1 }),
        'RESOURCE_DOES_NOT_EXIST',
      )
      await expectError(
        store.logParam(UNKNOWN_RUN, { key: 'p', value: 'v' }),
        'RESOURCE_DOES_NOT_EXIST',
      )
      await expectError(
        store.setTag(UNKNOWN_RUN, { key: 't', value: 'v' }),
        'RESOURCE_DOES_NOT_EXIST',
      )
      await expectError(
        store.logBatch(UNKNOWN_RUN, { tags: [{ key: 't', value: 'v' }] }),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })
  })
}
