/**
 * The vocabulary shared by workloads, the runner and the report writers. A workload is a plain
 * module that drives stores through trackstore's public API; the runner decides where the stores
 * live, how often each figure is repeated, and turns the timed samples into results.
 */

/** Which family of backends a workload exercises. */
export type BackendFamily = 'metadata' | 'artifacts'

/** Where a workload's store lives for one benchmark session; the runner creates and removes it. */
export interface BackendContext {
  /** `file`, `sqlite`, `postgresql`, `mysql`, `baseline` (metadata); `local`, `s3`, `gcs`. */
  readonly backend: string
  /** A tracking URI (metadata) or an artifact URI (artifacts) of fresh, empty storage. */
  readonly uri: string
  /** A private scratch folder for local files (artifact roots, files to upload, downloads). */
  readonly scratchDir: string
}

/** One timed operation: `amount` units of work (metrics, runs, bytes…) done in `seconds`. */
export interface Sample {
  /** Which of the workload's outputs this sample belongs to (see {@link Workload.outputs}). */
  readonly output: string
  readonly seconds: number
  readonly amount: number
}

/**
 * The state of one workload on one backend. The runner calls `prepare` for each size in
 * ascending order (untimed; a session may grow what it built for a smaller size), then `measure`
 * once per repetition, then `close`.
 */
export interface WorkloadSession {
  prepare(size: number): Promise<void>
  /** One repetition: does the work and times only the operation being measured. */
  measure(size: number): Promise<Sample[]>
  close(): Promise<void>
}

/** A figure a workload reports, in a rate unit where higher is better. */
export interface WorkloadOutput {
  /** The name results carry, e.g. `ingest` or `artifacts-upload`. */
  readonly name: string
  /** `metrics/s`, `runs/s`, `searches/s`, `points/s`, `MiB/s`. */
  readonly unit: string
}

export interface Workload {
  /** What `--workloads` selects, e.g. `search`. */
  readonly name: string
  /** One sentence for `--help` and the report. */
  readonly description: string
  readonly family: BackendFamily
  /** What a size counts: `metrics`, `runs`, `points`, `MiB`. */
  readonly sizeUnit: string
  readonly defaultSizes: readonly number[]
  /**
   * Sizes too slow for a backend in the default suite (they still run when `--sizes` names
   * them). Keyed by backend name; the value is the largest default size that backend runs.
   */
  readonly defaultSizeLimits?: Readonly<Record<string, number>>
  readonly outputs: readonly WorkloadOutput[]
  /** Reads that can be repeated without changing the data get one untimed warm-up call. */
  readonly warmUp: boolean
  open(context: BackendContext): Promise<WorkloadSession>
  /** The raw better-sqlite3 figure the trackstore backends are compared with, if any. */
  openBaseline?(context: BackendContext): Promise<WorkloadSession>
}

/** Statistics of one figure over its repetitions. */
export interface Spread {
  readonly min: number
  readonly median: number
  readonly max: number
}

/** What the issue asks of a backend for a figure; only set where the issue names one. */
export interface Target {
  /** The least acceptable median, in the result's unit. */
  readonly minimum: number
  /** The least acceptable fraction of the baseline's median, where one is asked for. */
  readonly minimumRatioToBaseline?: number
  /** The target as the issue words it, e.g. `≤ 5 ms per search over 1,000 runs`. */
  readonly description: string
}

export interface BenchResult {
  readonly workload: string
  readonly backend: string
  readonly size: number
  readonly sizeUnit: string
  /** The rate unit of `min`, `median` and `max`. */
  readonly unit: string
  readonly min: number
  readonly median: number
  readonly max: number
  readonly repeat: number
  /** Wall time of one repetition, in seconds (context for the rates). */
  readonly seconds: Spread
  /** This backend's median over the baseline's median for the same workload and size. */
  readonly ratioToBaseline?: number
  readonly target?: Target
  readonly meetsTarget?: boolean
}

export interface MachineInfo {
  readonly cpu: string
  readonly cores: number
  /** Total memory in bytes. */
  readonly memory: number
  readonly os: string
  readonly node: string
}

/** A backend that was asked for (or is in the default suite) but could not be reached. */
export interface SkippedBackend {
  readonly backend: string
  readonly reason: string
}

export interface BenchReport {
  /** ISO 8601 time at which the run started. */
  readonly date: string
  readonly machine: MachineInfo
  /** Package and server versions, e.g. `{ trackstore: '0.1.0', 'postgres server': '15.19' }`. */
  readonly versions: Readonly<Record<string, string>>
  readonly results: readonly BenchResult[]
  readonly skipped: readonly SkippedBackend[]
}
