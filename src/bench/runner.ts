/**
 * The benchmark runner shared by `trackstore bench` and `npm run bench`. For each workload it
 * opens a session on every selected backend, then, size by size, prepares them all and
 * interleaves their repetitions (baseline, sqlite, file, … then again), so that a drift of the
 * machine's speed touches every backend alike and ratios measured in one run stay fair.
 * It returns a report; it prints nothing.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { invalidParameter } from '../index.js'
import {
  backendProviders,
  benchSettingsFromEnv,
  type BackendProvider,
  type BenchSettings,
  type ProvisionedStorage,
} from './backends.js'
import { machineInfo, packageVersions } from './environment.js'
import { meetsTarget, targetFor } from './targets.js'
import type {
  BenchReport,
  BenchResult,
  Sample,
  SkippedBackend,
  Spread,
  Workload,
  WorkloadSession,
} from './types.js'
import { WORKLOADS } from './workloads/index.js'

/** Sizes for every selected workload, or per workload name. */
export interface SizeSelection {
  readonly all?: readonly number[]
  readonly byWorkload?: Readonly<Record<string, readonly number[]>>
}

export interface BenchProgress {
  readonly workload: string
  readonly backend: string
  readonly size: number
  readonly phase: 'prepare' | 'measure'
}

export interface BenchOptions {
  /** Workload names; default all. */
  readonly workloads?: readonly string[]
  /**
   * Backend names; default every backend that can be reached here (unreachable ones are listed
   * in `skipped`). A backend named here that cannot be reached is an error.
   */
  readonly backends?: readonly string[]
  /** Replaces the workloads' default sizes (and their per-backend limits). */
  readonly sizes?: SizeSelection
  /** Repetitions of each figure; default 3. */
  readonly repeat?: number
  /** Servers and buckets; default from the environment (see `benchSettingsFromEnv`). */
  readonly settings?: BenchSettings
  /** Where temporary folders go; default the OS temporary folder. */
  readonly scratchRoot?: string
  readonly onProgress?: (progress: BenchProgress) => void
}

export const DEFAULT_REPEAT = 3

export function workloadNames(): string[] {
  return WORKLOADS.map((workload) => workload.name)
}

function selectWorkloads(names: readonly string[] | undefined): Workload[] {
  if (names === undefined || names.length === 0) return [...WORKLOADS]
  const unknown = names.filter((name) => !WORKLOADS.some((w) => w.name === name))
  if (unknown.length > 0) {
    throw invalidParameter(
      `Unknown workload ${unknown.map((n) => `'${n}'`).join(', ')}: expected one of ` +
        workloadNames().join(', '),
    )
  }
  return WORKLOADS.filter((workload) => names.includes(workload.name))
}

async function selectBackends(
  all: BackendProvider[],
  names: readonly string[] | undefined,
): Promise<{ providers: BackendProvider[]; skipped: SkippedBackend[] }> {
  const explicit = names !== undefined && names.length > 0
  if (explicit) {
    const unknown = names.filter((name) => !all.some((p) => p.name === name))
    if (unknown.length > 0) {
      throw invalidParameter(
        `Unknown backend ${unknown.map((n) => `'${n}'`).join(', ')}: expected one of ` +
          all.map((p) => p.name).join(', '),
      )
    }
  }
  const wanted = explicit ? all.filter((p) => names.includes(p.name)) : all
  const providers: BackendProvider[] = []
  const skipped: SkippedBackend[] = []
  for (const provider of wanted) {
    const reason = await provider.check()
    if (reason === null) providers.push(provider)
    else if (explicit) throw invalidParameter(`Cannot benchmark '${provider.name}': ${reason}`)
    else skipped.push({ backend: provider.name, reason })
  }
  return { providers, skipped }
}

function sizesFor(workload: Workload, selection: SizeSelection | undefined): number[] {
  const chosen = selection?.byWorkload?.[workload.name] ?? selection?.all
  const sizes = chosen ?? workload.defaultSizes
  for (const size of sizes) {
    if (!Number.isInteger(size) || size <= 0) {
      throw invalidParameter(
        `Invalid size ${size} for '${workload.name}': expected a positive integer`,
      )
    }
  }
  return [...new Set(sizes)].sort((a, b) => a - b)
}

function usesDefaultSizes(workload: Workload, selection: SizeSelection | undefined): boolean {
  return (selection?.byWorkload?.[workload.name] ?? selection?.all) === undefined
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! }
}

interface OpenSession {
  readonly provider: BackendProvider
  readonly session: WorkloadSession
  readonly storage: ProvisionedStorage
  readonly scratchDir: string
}

async function openSession(
  workload: Workload,
  provider: BackendProvider,
  scratchRoot: string,
): Promise<OpenSession> {
  const scratchDir = await fs.mkdtemp(path.join(scratchRoot, `trackstore-bench-${workload.name}-`))
  let storage: ProvisionedStorage | undefined
  try {
    storage = await provider.provision(scratchDir)
    const context = { backend: provider.name, uri: storage.uri, scratchDir }
    const session = provider.baseline
      ? await workload.openBaseline!(context)
      : await workload.open(context)
    return { provider, session, storage, scratchDir }
  } catch (error) {
    await storage?.dispose()
    await fs.rm(scratchDir, { recursive: true, force: true })
    throw error
  }
}

async function closeSession(open: OpenSession): Promise<void> {
  try {
    await open.session.close()
  } finally {
    try {
      await open.storage.dispose()
    } finally {
      await fs.rm(open.scratchDir, { recursive: true, force: true })
    }
  }
}

/** Adds the workload's name, backend and size to an error raised while measuring. */
function located(error: unknown, where: string): Error {
  const cause = error instanceof Error ? error : new Error(String(error))
  cause.message = `${where}: ${cause.message}`
  return cause
}

function summarise(
  workload: Workload,
  size: number,
  samples: Map<string, Sample[]>,
  repeat: number,
): BenchResult[] {
  const results: BenchResult[] = []
  for (const output of workload.outputs) {
    const medians = new Map<string, number>()
    const rows: { backend: string; rates: Spread; seconds: Spread }[] = []
    for (const [backend, list] of samples) {
      const mine = list.filter((sample) => sample.output === output.name)
      if (mine.length === 0) continue
      const rates = spread(mine.map((sample) => sample.amount / sample.seconds))
      rows.push({ backend, rates, seconds: spread(mine.map((sample) => sample.seconds)) })
      medians.set(backend, rates.median)
    }
    const baseline = medians.get('baseline')
    for (const row of rows) {
      const ratioToBaseline = baseline === undefined ? undefined : row.rates.median / baseline
      const target = targetFor(output.name, row.backend, size)
      results.push({
        workload: output.name,
        backend: row.backend,
        size,
        sizeUnit: workload.sizeUnit,
        unit: output.unit,
        min: row.rates.min,
        median: row.rates.median,
        max: row.rates.max,
        repeat,
        seconds: row.seconds,
        ...(ratioToBaseline === undefined ? {} : { ratioToBaseline }),
        ...(target === undefined
          ? {}
          : { target, meetsTarget: meetsTarget(target, row.rates.median, ratioToBaseline) }),
      })
    }
  }
  return results
}

async function runWorkload(
  workload: Workload,
  providers: BackendProvider[],
  options: BenchOptions,
  scratchRoot: string,
): Promise<BenchResult[]> {
  const repeat = options.repeat ?? DEFAULT_REPEAT
  const sizes = sizesFor(workload, options.sizes)
  const limited = usesDefaultSizes(workload, options.sizes)
  const applicable = providers.filter(
    (p) => p.family === workload.family && (!p.baseline || workload.openBaseline !== undefined),
  )
  const sessions: OpenSession[] = []
  const results: BenchResult[] = []
  try {
    for (const provider of applicable) {
      sessions.push(await openSession(workload, provider, scratchRoot))
    }
    for (const size of sizes) {
      const active = sessions.filter(
        ({ provider }) =>
          !limited || size <= (workload.defaultSizeLimits?.[provider.name] ?? Infinity),
      )
      const samples = new Map<string, Sample[]>(active.map((s) => [s.provider.name, []]))
      const step = async (open: OpenSession, phase: BenchProgress['phase'], keep: boolean) => {
        const backend = open.provider.name
        options.onProgress?.({ workload: workload.name, backend, size, phase })
        try {
          if (phase === 'prepare') await open.session.prepare(size)
          else {
            const measured = await open.session.measure(size)
            if (keep) samples.get(backend)!.push(...measured)
          }
        } catch (error) {
          throw located(error, `${workload.name} on ${backend} at size ${size}`)
        }
      }
      for (const open of active) await step(open, 'prepare', false)
      if (workload.warmUp) for (const open of active) await step(open, 'measure', false)
      for (let round = 0; round < repeat; round++) {
        for (const open of active) await step(open, 'measure', true)
      }
      results.push(...summarise(workload, size, samples, repeat))
    }
  } finally {
    for (const open of sessions) await closeSession(open)
  }
  return results
}

/** Runs the selected workloads on the selected backends and returns the report. */
export async function runBenchmarks(options: BenchOptions = {}): Promise<BenchReport> {
  const repeat = options.repeat ?? DEFAULT_REPEAT
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw invalidParameter(`Invalid repeat ${repeat}: expected a positive integer`)
  }
  const date = new Date().toISOString()
  const workloads = selectWorkloads(options.workloads)
  const settings = options.settings ?? benchSettingsFromEnv()
  const families = new Set(workloads.map((workload) => workload.family))
  const known = backendProviders(settings)
  const explicit = options.backends !== undefined && options.backends.length > 0
  const { providers, skipped } = await selectBackends(
    explicit ? known : known.filter((provider) => families.has(provider.family)),
    options.backends,
  )
  const scratchRoot = options.scratchRoot ?? os.tmpdir()
  const results: BenchResult[] = []
  for (const workload of workloads) {
    results.push(...(await runWorkload(workload, providers, options, scratchRoot)))
  }
  const versions = await packageVersions()
  const used = new Set(results.map((result) => result.backend))
  for (const provider of providers) {
    if (provider.serverVersion && used.has(provider.name)) {
      const [label, version] = await provider.serverVersion()
      versions[label] = version
    }
  }
  return { date, machine: machineInfo(), versions, results, skipped }
}
