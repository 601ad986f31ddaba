import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import type { CliIo } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/main.js'
import { openMetadataStore, openModelRegistryStore } from '../../src/index.js'

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  const out: string[] = []
  const err: string[] = []
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  }
}

describe('trackstore quickstart', () => {
  test('migrates a sample mlruns folder into SQLite, verifies it, resumes when rerun', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-quickstart-'))
    try {
      const first = capture()
      expect(await runCli(['quickstart', '--dir', dir, '--json'], first)).toBe(0)
      const summary = JSON.parse(first.stdout())
      expect(summary).toMatchObject({ verify: { equal: true } })

      const store = await openMetadataStore(`sqlite:///${path.join(dir, 'mlflow.db')}`)
      try {
        const experiments = await store.searchExperiments()
        const names = experiments.items.map((experiment) => experiment.name).sort()
        expect(names).toEqual(['Default', 'image-classifier', 'tabular-baseline'])
        const runs = await store.searchRuns({
          experimentIds: experiments.items.map((experiment) => experiment.experimentId),
        })
        expect(runs.items).toHaveLength(8)
        for (const run of runs.items) {
          expect(run.info.artifactUri.startsWith(path.join(dir, 'mlartifacts'))).toBe(true)
        }
        const models = await store.searchLoggedModels({
          experimentIds: experiments.items.map((experiment) => experiment.experimentId),
        })
        expect(models.items.map((model) => model.status)).toEqual(['READY', 'READY'])
      } finally {
        await store.close()
      }

      const registry = await openModelRegistryStore(`sqlite:///${path.join(dir, 'mlflow.db')}`)
      try {
        const version = await registry.getModelVersion('image-classifier', '1')
        expect(version.source?.startsWith(path.join(dir, 'mlartifacts'))).toBe(true)
      } finally {
        await registry.close()
      }

      const again = capture()
      expect(await runCli(['quickstart', '--dir', dir], again)).toBe(0)
      expect(again.stdout()).toMatch(/Runs +0 copied, 8 already there/)
      expect(again.stdout()).toMatch(/Result +equal/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
