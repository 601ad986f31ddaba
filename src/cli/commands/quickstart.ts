import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import { openArtifactStore } from '../../artifacts/index.js'
import { openMetadataStore, openModelRegistryStore } from '../../open-metadata-store.js'
import type { CliIo } from '../io.js'
import { migrateCommand } from './migrate.js'

export interface QuickstartOptions {
  dir: string
  json?: boolean
}

const MODELS = ['resnet', 'vit', 'mlp']

/**
 * Writes a small MLflow `mlruns` folder through trackstore's file store, the way an MLflow
 * user's history looks: two experiments, runs with params, tags, metric histories, a dataset
 * input and an artifact each; the first run of each experiment logs a model (MLflow 3), which
 * the registry holds as version 1 of a registered model.
 */
async function writeSample(root: string): Promise<void> {
  const store = await openMetadataStore(root)
  const registry = await openModelRegistryStore(root)
  try {
    for (const [e, name] of ['image-classifier', 'tabular-baseline'].entries()) {
      const experimentId = await store.createExperiment(name, {
        tags: [{ key: 'team', value: e === 0 ? 'vision' : 'tabular' }],
      })
      for (let r = 0; r < 4; r++) {
        const start = 1_700_000_000_000 + (e * 10 + r) * 60_000
        const run = await store.createRun({
          experimentId,
          userId: 'quickstart',
          startTime: start,
          runName: `${name}-${r}`,
        })
        const { runId } = run.info
        const metrics = Array.from({ length: 50 }, (_, step) => [
          { key: 'loss', value: 1 / (step + 1 + r), timestamp: start + step * 1000, step },
          { key: 'accuracy', value: 1 - 0.5 / (step + 1), timestamp: start + step * 1000, step },
        ]).flat()
        await store.logBatch(runId, {
          params: [
            { key: 'model', value: MODELS[r % MODELS.length]! },
            { key: 'learning_rate', value: String(0.01 * (r + 1)) },
          ],
          tags: [{ key: 'mlflow.source.type', value: 'LOCAL' }],
          metrics,
        })
        await store.logInputs(runId, [
          {
            dataset: { name: 'iris', digest: 'a1b2c3d4', sourceType: 'local', source: '{}' },
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
          },
        ])
        const artifacts = openArtifactStore(run.info.artifactUri)
        await artifacts.writeArtifact('model/summary.txt', `${name} run ${r}\n`)
        await artifacts.close()
        if (r === 0) {
          const model = await store.createLoggedModel({
            experimentId,
            name: `${name}-model`,
            sourceRunId: runId,
            params: [{ key: 'model', value: MODELS[0]! }],
          })
          await store.logOutputs(runId, [{ modelId: model.modelId, step: 49 }])
          const files = openArtifactStore(model.artifactLocation)
          await files.writeArtifact('MLmodel', `artifact_path: ${name}-model\n`)
          await files.close()
          await store.finalizeLoggedModel(model.modelId, 'READY')
          await registry.createRegisteredModel(name)
          await registry.createModelVersion({
            name,
            source: model.artifactLocation,
            runId,
            modelId: model.modelId,
          })
        }
        await store.updateRunInfo(runId, { status: 'FINISHED', endTime: start + 50_000 })
      }
    }
  } finally {
    await registry.close()
    await store.close()
  }
}

/**
 * `trackstore quickstart`: the main job on the embedded defaults. Creates `<dir>/mlruns` with
 * sample data when it does not exist, migrates it into `sqlite:///<dir>/mlflow.db` with the
 * artifacts copied to `<dir>/mlartifacts`, and verifies the copy run by run. Run again, it
 * resumes: everything is already there, and the copy is verified again.
 */
export function registerQuickstartCommands(program: Command, io: CliIo): void {
  program
    .command('quickstart')
    .description(
      'migrate a sample mlruns folder (created if missing) into SQLite with its artifacts ' +
        'on local disk, then verify the copy',
    )
    .option('--dir <folder>', 'where mlruns/, mlflow.db and mlartifacts/ live', 'quickstart')
    .option('--json', 'print the machine-readable summary')
    .action(async (options: QuickstartOptions) => {
      const dir = path.resolve(options.dir)
      const mlruns = path.join(dir, 'mlruns')
      const database = path.join(dir, 'mlflow.db')
      if (!existsSync(mlruns)) {
        await mkdir(dir, { recursive: true })
        await writeSample(mlruns)
        if (!options.json) io.out(`Wrote a sample MLflow store to ${mlruns}`)
      }
      await migrateCommand(
        mlruns,
        `sqlite:///${database}`,
        { artifactsTo: path.join(dir, 'mlartifacts'), verify: true, json: options.json },
        io,
      )
    })
}
