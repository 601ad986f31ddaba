/**
 * MLflow 3 logged models, metrics logged with a model id, and run inputs/outputs of models.
 * File and SQL differences are read from `loggedModelMetricHistory` and
 * `keepsLoggedModelMetricNaN`.
 */
import { describe, expect, it } from 'vitest'
import type { LoggedModel, MetadataStore } from '../../../src/index.js'
import {
  createExperiment,
  createRun,
  expectError,
  sleep,
  useStore,
  type StoreFactory,
} from './harness.js'

const names = (models: LoggedModel[]) => models.map((model) => model.name)

export function describeLoggedModels(factory: StoreFactory): void {
  describe('logged models', () => {
    const handle = useStore(factory)

    async function setup(store: MetadataStore) {
      const experimentId = await createExperiment(store, 'models')
      const run = await createRun(store, experimentId, { runName: 'train' })
      return { experimentId, runId: run.info.runId }
    }

    it('creates, reads, finalizes and deletes a logged model', async () => {
      const { store } = handle()
      const { experimentId, runId } = await setup(store)
      const created = await store.createLoggedModel({
        experimentId,
        name: 'lr-model',
        sourceRunId: runId,
        modelType: 'classifier',
        tags: [{ key: 'framework', value: 'sklearn' }],
        params: [
          { key: 'solver', value: 'lbfgs' },
          { key: 'C', value: '0.5' },
        ],
      })
      expect(created.modelId).toMatch(/^m-[0-9a-f]{32}$/)
      expect(created).toMatchObject({
        experimentId,
        name: 'lr-model',
        status: 'PENDING',
        statusMessage: null,
        modelType: 'classifier',
        sourceRunId: runId,
        lifecycleStage: 'active',
        tags: [{ key: 'framework', value: 'sklearn' }],
        params: [
          { key: 'C', value: '0.5' },
          { key: 'solver', value: 'lbfgs' },
        ],
        metrics: [],
      })
      const experiment = await store.getExperiment(experimentId)
      expect(created.artifactLocation).toBe(
        `${experiment.artifactLocation}/models/${created.modelId}/artifacts`,
      )
      expect(await store.getLoggedModel(created.modelId)).toEqual(created)
      const ready = await store.finalizeLoggedModel(created.modelId, 'READY')
      expect(ready.status).toBe('READY')
      expect(ready.lastUpdatedTimestamp).toBeGreaterThanOrEqual(created.lastUpdatedTimestamp)
      await store.deleteLoggedModel(created.modelId)
      await expectError(store.getLoggedModel(created.modelId), 'RESOURCE_DOES_NOT_EXIST')
      await expectError(
        store.finalizeLoggedModel(created.modelId, 'FAILED'),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })

    it('validates names, ids, statuses and experiments as MLflow', async () => {
      const { store } = handle()
      const { experimentId } = await setup(store)
      for (const name of ['', 'a/b', 'a.b', 'a:b', 'a%b', "a'b", 'a"b']) {
        await expectError(
          store.createLoggedModel({ experimentId, name }),
          'INVALID_PARAMETER_VALUE',
          'Invalid model name',
        )
      }
      const generated = await store.createLoggedModel({ experimentId })
      expect(generated.name).toMatch(/^[a-z]+-[a-z]+-\d+$/)
      await expectError(
        store.getLoggedModel('m-0123456789abcdef0123456789abcdef'),
        'RESOURCE_DOES_NOT_EXIST',
      )
      await expectError(store.getLoggedModel('../escape'), 'INVALID_PARAMETER_VALUE')
      await expectError(
        store.finalizeLoggedModel(generated.modelId, 'DONE' as never),
        'INVALID_PARAMETER_VALUE',
      )
      const gone = await createExperiment(store, 'gone')
      await store.deleteExperiment(gone)
      await expectError(
        store.createLoggedModel({ experimentId: gone, name: 'x' }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('sets and deletes tags and logs params once', async () => {
      const { store } = handle()
      const { experimentId } = await setup(store)
      const { modelId } = await store.createLoggedModel({ experimentId, name: 'tagged' })
      await store.setLoggedModelTags(modelId, [
        { key: 'tmp', value: '1' },
        { key: 'keep', value: 'a' },
      ])
      await store.setLoggedModelTags(modelId, [{ key: 'keep', value: 'b' }])
      await store.deleteLoggedModelTag(modelId, 'tmp')
      await expectError(store.deleteLoggedModelTag(modelId, 'tmp'), 'RESOURCE_DOES_NOT_EXIST')
      await store.logLoggedModelParams(modelId, [{ key: 'p', value: '1' }])
      await store.logLoggedModelParams(modelId, [{ key: 'p', value: '1' }])
      await expectError(
        store.logLoggedModelParams(modelId, [{ key: 'p', value: '2' }]),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
      )
      const model = await store.getLoggedModel(modelId)
      expect(model.tags).toEqual([{ key: 'keep', value: 'b' }])
      expect(model.params).toEqual([{ key: 'p', value: '1' }])
    })

    it('records metrics logged with a model id for the run and the model', async () => {
      const { store } = handle()
      const { experimentId, runId } = await setup(store)
      const { modelId } = await store.createLoggedModel({ experimentId, name: 'scored' })
      for (const [step, value] of [
        [0, 0.9],
        [1, 0.5],
        [2, 0.25],
      ] as const) {
        await store.logMetric(runId, { key: 'loss', value, timestamp: 1000 + step, step, modelId })
      }
      await store.logBatch(runId, {
        metrics: [
          {
            key: 'acc',
            value: 0.93,
            timestamp: 2000,
            step: 2,
            modelId,
            datasetName: 'iris',
            datasetDigest: 'd1',
          },
          { key: 'nan', value: NaN, timestamp: 2000, step: 0, modelId },
          { key: 'run-only', value: 1, timestamp: 2000, step: 0 },
        ],
      })
      const run = await store.getRun(runId)
      expect(run.data.metrics.map((metric) => metric.key)).toEqual([
        'acc',
        'loss',
        'nan',
        'run-only',
      ])
      expect(run.data.metrics.find((metric) => metric.key === 'nan')!.value).toBeNaN()
      const model = await store.getLoggedModel(modelId)
      const loss = model.metrics.filter((metric) => metric.key === 'loss')
      if (store.capabilities.loggedModelMetricHistory) {
        expect(loss.map((metric) => metric.value)).toEqual([0.9, 0.5, 0.25])
      } else {
        expect(loss.map((metric) => metric.value)).toEqual([0.25])
      }
      expect(model.metrics.find((metric) => metric.key === 'acc')).toEqual({
        key: 'acc',
        value: 0.93,
        timestamp: 2000,
        step: 2,
        modelId,
        runId,
        datasetName: 'iris',
        datasetDigest: 'd1',
      })
      const nan = model.metrics.find((metric) => metric.key === 'nan')!.value
      if (store.capabilities.keepsLoggedModelMetricNaN) expect(nan).toBeNaN()
      else expect(nan).toBe(0)
      expect(model.metrics.some((metric) => metric.key === 'run-only')).toBe(false)
      await expectError(
        store.logMetric(runId, {
          key: 'x',
          value: 1,
          timestamp: 1,
          modelId: 'm-ffffffffffffffffffffffffffffffff',
        }),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })

    it('returns model inputs and outputs from getRun and searchRuns', async () => {
      const { store } = handle()
      const { experimentId, runId } = await setup(store)
      const a = await store.createLoggedModel({ experimentId, name: 'a' })
      const b = await store.createLoggedModel({ experimentId, name: 'b' })
      await store.logOutputs(runId, [{ modelId: b.modelId, step: 5 }, { modelId: a.modelId }])
      await store.logOutputs(runId, [{ modelId: b.modelId, step: 7 }])
      const evaluator = await createRun(store, experimentId, { runName: 'eval' })
      await store.logInputs(
        evaluator.info.runId,
        [],
        [{ modelId: b.modelId }, { modelId: a.modelId }],
      )
      await store.logInputs(evaluator.info.runId, undefined, [{ modelId: a.modelId }])
      const sorted = [a.modelId, b.modelId].sort()
      const producer = await store.getRun(runId)
      expect(producer.outputs.modelOutputs).toEqual(
        sorted.map((modelId) => ({ modelId, step: modelId === b.modelId ? 7 : 0 })),
      )
      expect(producer.inputs.modelInputs).toEqual([])
      const found = await store.searchRuns({
        experimentIds: [experimentId],
        filter: `attributes.run_name = 'eval'`,
      })
      expect(found.items[0]!.inputs.modelInputs).toEqual(sorted.map((modelId) => ({ modelId })))
      expect(found.items[0]!.outputs.modelOutputs).toEqual([])
      await expectError(store.logOutputs(runId, [{ modelId: 'bad id' }]), 'INVALID_PARAMETER_VALUE')
      await store.deleteRun(runId)
      await expectError(
        store.logOutputs(runId, [{ modelId: a.modelId }]),
        'INVALID_PARAMETER_VALUE',
      )
    })

    describe('search', () => {
      let experimentId = ''
      let other = ''
      const ids: Record<string, string> = {}

      async function prepare(store: MetadataStore) {
        if (experimentId !== '') return
        const setupResult = await setup(store)
        experimentId = setupResult.experimentId
        other = await createExperiment(store, 'models-other')
        const specs = [
          { name: 'alpha', type: 'classifier', acc: 0.7, lr: '0.1', status: 'READY' },
          { name: 'beta', type: 'regressor', acc: 0.9, lr: '0.2', status: 'FAILED' },
          { name: 'gamma', type: 'classifier', acc: null, lr: '0.3', status: 'PENDING' },
        ] as const
        for (const spec of specs) {
          const model = await store.createLoggedModel({
            experimentId,
            name: spec.name,
            modelType: spec.type,
            params: [{ key: 'lr', value: spec.lr }],
            tags: [{ key: 'team', value: spec.name === 'gamma' ? 'b' : 'a' }],
          })
          ids[spec.name] = model.modelId
          // Distinct creation times: the default order is creation_timestamp DESC.
          await sleep(3)
          if (spec.status !== 'PENDING') await store.finalizeLoggedModel(model.modelId, spec.status)
          if (spec.acc !== null) {
            await store.logMetric(setupResult.runId, {
              key: 'acc',
              value: spec.acc,
              timestamp: 10,
              modelId: model.modelId,
              datasetName: spec.name === 'alpha' ? 'eval' : 'train',
              datasetDigest: 'dd',
            })
          }
        }
        const deleted = await store.createLoggedModel({ experimentId, name: 'deleted' })
        await store.deleteLoggedModel(deleted.modelId)
        await store.createLoggedModel({ experimentId: other, name: 'elsewhere' })
      }

      const search = async (
        store: MetadataStore,
        options: Partial<Parameters<MetadataStore['searchLoggedModels']>[0]>,
      ) => (await store.searchLoggedModels({ experimentIds: [experimentId], ...options })).items

      it('orders by creation time (newest first) by default and hides deleted models', async () => {
        const { store } = handle()
        await prepare(store)
        expect(names(await search(store, {}))).toEqual(['gamma', 'beta', 'alpha'])
        const both = await store.searchLoggedModels({ experimentIds: [experimentId, other] })
        expect(names(both.items).sort()).toEqual(['alpha', 'beta', 'elsewhere', 'gamma'])
      })

      it('filters attributes, params, tags and metrics', async () => {
        const { store } = handle()
        await prepare(store)
        const filtered = async (filter: string) =>
          names(await search(store, { filter, orderBy: [{ fieldName: 'name' }] }))
        expect(await filtered("name = 'beta'")).toEqual(['beta'])
        expect(await filtered("name LIKE '%a'")).toEqual(['alpha', 'beta', 'gamma'])
        expect(await filtered("attributes.model_type = 'classifier'")).toEqual(['alpha', 'gamma'])
        expect(await filtered("status = 'READY'")).toEqual(['alpha'])
        expect(await filtered("status IN ('READY', 'PENDING')")).toEqual(['alpha', 'gamma'])
        expect(await filtered(`model_id = '${ids.beta}'`)).toEqual(['beta'])
        await expectError(filtered("params.lr > '0.15'"), 'INVALID_PARAMETER_VALUE')
        expect(await filtered("params.lr = '0.2'")).toEqual(['beta'])
        expect(await filtered("tags.team = 'a' AND metrics.acc >= 0.8")).toEqual(['beta'])
        expect(await filtered('metrics.acc < 1')).toEqual(['alpha', 'beta'])
        expect(await filtered('creation_timestamp > 0')).toEqual(['alpha', 'beta', 'gamma'])
        await expectError(search(store, { filter: 'foo = 1' }), 'INVALID_PARAMETER_VALUE')
        await expectError(
          search(store, { filter: "datasets.name = 'x'" }),
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('filters by datasets and orders by metrics on a dataset', async () => {
        const { store } = handle()
        await prepare(store)
        expect(names(await search(store, { datasets: [{ datasetName: 'train' }] }))).toEqual([
          'beta',
        ])
        expect(
          names(
            await search(store, {
              filter: 'metrics.acc > 0',
              datasets: [{ datasetName: 'eval', datasetDigest: 'dd' }],
            }),
          ),
        ).toEqual(['alpha'])
        expect(
          names(await search(store, { orderBy: [{ fieldName: 'metrics.acc', ascending: false }] })),
        ).toEqual(['beta', 'alpha', 'gamma'])
        expect(
          names(await search(store, { orderBy: [{ fieldName: 'metrics.acc', ascending: true }] })),
        ).toEqual(['alpha', 'beta', 'gamma'])
        expect(
          names(
            await search(store, {
              orderBy: [{ fieldName: 'metrics.acc', datasetName: 'eval', ascending: false }],
            }),
          ),
        ).toEqual(['alpha', 'gamma', 'beta'])
        await expectError(
          search(store, { orderBy: [{ fieldName: 'params.lr' }] }),
          'INVALID_PARAMETER_VALUE',
          'only `metrics.<name>` is allowed',
        )
        await expectError(
          search(store, { datasets: [{ datasetName: '' }] }),
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('pages with tokens tied to their search', async () => {
        const { store } = handle()
        await prepare(store)
        const orderBy = [{ fieldName: 'name', ascending: true }]
        const first = await store.searchLoggedModels({
          experimentIds: [experimentId],
          orderBy,
          maxResults: 2,
        })
        expect(names(first.items)).toEqual(['alpha', 'beta'])
        expect(first.nextPageToken).not.toBeNull()
        const second = await store.searchLoggedModels({
          experimentIds: [experimentId],
          orderBy,
          maxResults: 2,
          pageToken: first.nextPageToken,
        })
        expect(names(second.items)).toEqual(['gamma'])
        expect(second.nextPageToken).toBeNull()
        await expectError(
          store.searchLoggedModels({
            experimentIds: [experimentId],
            maxResults: 2,
            pageToken: first.nextPageToken,
          }),
          'INVALID_PARAMETER_VALUE',
          'Order by in the page token does not match',
        )
        await expectError(
          store.searchLoggedModels({ experimentIds: [experimentId], pageToken: 'not-a-token' }),
          'INVALID_PARAMETER_VALUE',
        )
      })
    })
  })
}
