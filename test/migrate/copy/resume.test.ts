/**
 * Resume after kill -9: a real `trackstore migrate` child process is killed at random points
 * several times, then run to the end; the destination ends with exactly the source's content
 * (verify equal, every metric row once). The CLI is compiled once into node_modules/.cache so
 * the child runs plain JavaScript.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { emptyStore, generateFileStore, openTestStore, verify, type TestStore } from './support.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const buildRoot = path.join(repoRoot, 'node_modules', '.cache', 'trackstore-migrate-test')
const cliEntry = path.join(buildRoot, 'dist', 'cli', 'main.js')

/** Compiles src/ for the child (tsc emits even when another file has a type error). */
async function buildCli(): Promise<void> {
  await mkdir(buildRoot, { recursive: true })
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', `${buildRoot}/dist`], {
    cwd: repoRoot,
    stdio: 'ignore',
  })
  if (!existsSync(cliEntry)) throw new Error(`Building the CLI did not produce ${cliEntry}`)
  // The migrations find schema/ two folders above dist/migrate/migrations.
  const schema = path.join(buildRoot, 'schema')
  if (!existsSync(schema)) await symlink(path.join(repoRoot, 'schema'), schema)
}

interface Child {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>
  /** Resolves once the child has marked the destination and started copying. */
  copying: Promise<void>
  kill(): void
  running(): boolean
}

function migrate(from: string, to: string): Child {
  const child = spawn(process.execPath, [cliEntry, 'migrate', from, to, '--json', '-v'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let done = false
  let started = (): void => {}
  const copying = new Promise<void>((resolve) => (started = resolve))
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    if (stderr.includes('info: Copy started')) started()
  })
  const exited = new Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stdout: string
  }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true
      resolve({ code, signal, stdout })
    }),
  )
  return { exited, copying, kill: () => child.kill('SIGKILL'), running: () => !done }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('migrate killed with SIGKILL and run again', () => {
  let dir: string
  let source: TestStore
  const stores: TestStore[] = []

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-resume-'))
    await buildCli()
    await generateFileStore(path.join(dir, 'mlruns'), {
      experiments: 3,
      runsPerExperiment: 16,
      metrics: 4,
      steps: 1500,
    })
    source = await openTestStore(path.join(dir, 'mlruns'))
    stores.push(source)
  })
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
    await rm(dir, { recursive: true, force: true })
  })

  for (const backend of ['sqlite', 'file'] as const) {
    test(`ends with exactly the source's content (${backend} destination)`, async () => {
      const target = await emptyStore(backend)
      await target.store.close()
      let killedRunning = 0
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const child = migrate(source.uri, target.uri)
        // Kill at a random point of the copy itself: counted from the moment the child has
        // marked the destination, not from its start, which a loaded machine may stretch past
        // any fixed delay (the kills then hit module loading and nothing was there to resume).
        await Promise.race([child.copying, child.exited])
        await sleep(100 + Math.floor(Math.random() * 600))
        if (child.running()) {
          child.kill()
          killedRunning += 1
        }
        const { signal } = await child.exited
        if (signal === null) break
      }
      const last = await migrate(source.uri, target.uri).exited
      expect(last.code).toBe(0)
      const summary = JSON.parse(last.stdout)
      expect(summary.runs.copied + summary.runs.existing).toBe(48)
      if (killedRunning > 0) expect(summary.resumed).toBe(true)
      expect(killedRunning).toBeGreaterThanOrEqual(2)

      const reopened = await openTestStore(target.uri)
      stores.push({ ...reopened, drop: async () => (await reopened.drop(), await target.drop()) })
      const report = await verify(source, reopened)
      expect(report.differences).toEqual([])
      expect(report.runs).toBe(48)
      expect(report.metricRows.a).toBe(48 * 4 * 1501)
      // Every row exactly once (SQL keeps the duplicate row of each metric once, the file
      // store keeps it twice, as the source does).
      const duplicates = report.tolerated.duplicateRows ?? 0
      expect(report.metricRows.b).toBe(backend === 'file' ? 48 * 4 * 1501 : 48 * 4 * 1500)
      expect(duplicates).toBe(backend === 'file' ? 0 : 48 * 4)
    })
  }
})
