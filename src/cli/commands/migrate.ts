import { existsSync } from 'node:fs'
import path from 'node:path'
import cliProgress from 'cli-progress'
import { Option, type Command } from 'commander'
import { invalidParameter, invalidState, notFound } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'
import { parseTrackingUri, redactUri } from '../../core/uri.js'
import type { MetadataStore } from '../../metadata/metadata-store.js'
import {
  copyStore,
  type CopyProgress,
  type CopySummary,
  type IdStrategy,
  type OnError,
  type RegistryDestination,
  type RegistrySource,
  type TransferDestination,
  type TransferSource,
} from '../../migrate/copy/index.js'
import { isExportFile, JsonlReader, JsonlWriter } from '../../migrate/jsonl/index.js'
import { verifyStores, type VerifyReport } from '../../migrate/verify/index.js'
import {
  openMetadataStore,
  openModelRegistryStore,
  widenExperimentIds,
} from '../../open-metadata-store.js'
import type { ModelRegistryStore } from '../../registry/registry-store.js'
import type { RegistryTransfer } from '../../registry/registry-transfer.js'
import { stderrLogger, table, type CliIo } from '../io.js'

export interface MigrateCommandOptions {
  artifactsTo?: string
  verify?: boolean
  merge?: boolean
  onError?: OnError
  idStrategy?: IdStrategy
  mappingFile?: string
  dryRun?: boolean
  skipUnsupported?: boolean
  json?: boolean
  verbose?: boolean
}

const STORE_HELP = 'mlruns folder, sqlite:///…, postgresql://…, mysql://…'

/** `trackstore migrate <from> <to>`: copy a whole tracking store to another backend. */
export function registerMigrateCommands(program: Command, io: CliIo): void {
  const command = program
    .command('migrate')
    .description(
      'copy every experiment and run (ids, times, metric rows …) from one store to another',
    )
    .argument('<from>', `source: ${STORE_HELP}, or an export file (.jsonl, .jsonl.gz)`)
    .argument('<to>', `destination: ${STORE_HELP}, or an export file (.jsonl, .jsonl.gz)`)
  addCopyOptions(command)
    .option('--verify', 'compare the two stores run by run at the end (exit 1 on a difference)')
    .action((from: string, to: string, options: MigrateCommandOptions) =>
      migrateCommand(from, to, options, io),
    )
}

/** The options `migrate` and `import` share. */
export function addCopyOptions(command: Command): Command {
  return command
    .option(
      '--artifacts-to <uri>',
      "also copy each run's artifacts to <uri>/<experiment id>/<run id>/artifacts " +
        '(a path, file:, s3:// or gs:// URI) and point experiments and runs there',
    )
    .option('--merge', 'copy into a destination that already holds other data (never overwrites)')
    .addOption(
      new Option('--on-error <mode>', 'on an unreadable source entry: stop, or list it and go on')
        .choices(['fail', 'skip'])
        .default('fail'),
    )
    .addOption(
      new Option(
        '--id-strategy <strategy>',
        'keep experiment ids (widening PostgreSQL/MySQL id columns to BIGINT when needed), ' +
          'or give experiments new ids',
      )
        .choices(['preserve', 'remap'])
        .default('preserve'),
    )
    .option(
      '--mapping-file <file>',
      'with --id-strategy remap: where to write the old → new experiment id map ' +
        '(default trackstore-id-map.json)',
    )
    .option('--dry-run', 'read everything and report what would move; write nothing')
    .option(
      '--skip-unsupported',
      'copy even when the source holds what trackstore does not carry yet (traces, ' +
        'assessments …); they are left out and listed',
    )
    .option('--json', 'print a machine-readable summary instead of progress bars and text')
    .option('-v, --verbose', 'log each step to stderr')
}

/** A store opened for a command, with the label that names it in markers and reports. */
export interface OpenedStore {
  store: MetadataStore
  label: string
  uri: string
  sql: boolean
}

/** The label of a store: absolute for local paths, so reruns from elsewhere still match. */
export function storeLabel(uri: string): string {
  const location = parseTrackingUri(uri)
  if (location.kind === 'file') return location.root
  if (location.kind === 'sqlite') return `sqlite:///${location.path}`
  return redactUri(uri)
}

/** Opens an existing store to read from: a missing folder or database is an error. */
export async function openExistingStore(uri: string, logger: Logger): Promise<OpenedStore> {
  const location = parseTrackingUri(uri)
  if (location.kind === 'file' && !existsSync(location.root)) {
    throw notFound(`No mlruns folder at ${location.root}`)
  }
  if (location.kind === 'sqlite' && location.path !== ':memory:' && !existsSync(location.path)) {
    throw notFound(`No SQLite database at ${location.path}`)
  }
  const store = await openMetadataStore(uri, { logger, createSchema: false })
  return { store, label: storeLabel(uri), uri, sql: location.kind !== 'file' }
}

/** The model registry of a store (MLflow's registry URI defaults to the tracking URI). */
export async function openRegistry(uri: string, logger: Logger): Promise<ModelRegistryStore> {
  return openModelRegistryStore(uri, { createSchema: false, logger })
}

export async function openDestinationStore(uri: string, logger: Logger): Promise<OpenedStore> {
  const location = parseTrackingUri(uri)
  const store = await openMetadataStore(uri, { logger })
  return { store, label: storeLabel(uri), uri, sql: location.kind !== 'file' }
}

/** Progress bars on stderr: experiments, runs, metric rows, bytes, with rate and ETA. */
export class ProgressBars {
  readonly #multi: cliProgress.MultiBar
  readonly #bars: Record<'experiments' | 'runs' | 'rows' | 'bytes', cliProgress.SingleBar>
  readonly #started = Date.now()

  private constructor() {
    this.#multi = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        clearOnComplete: false,
        hideCursor: true,
        fps: 5,
        format: '{label} |{bar}| {value}/{total} {rate}/s ETA {eta_formatted}',
      },
      cliProgress.Presets.shades_grey,
    )
    const counter = { format: '{label} {value} {unit}  {rate} {unit}/s' }
    this.#bars = {
      experiments: this.#multi.create(0, 0, { label: 'experiments', rate: '0' }),
      runs: this.#multi.create(0, 0, { label: 'runs       ', rate: '0' }),
      rows: this.#multi.create(0, 0, { label: 'metric rows', rate: '0', unit: 'rows' }, counter),
      bytes: this.#multi.create(0, 0, { label: 'artifacts  ', rate: '0', unit: 'bytes' }, counter),
    }
  }

  /** Bars when stderr is a terminal and --json is off; otherwise null. */
  static create(json: boolean | undefined): ProgressBars | null {
    return !json && process.stderr.isTTY ? new ProgressBars() : null
  }

  update(progress: CopyProgress): void {
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001)
    const set = (bar: cliProgress.SingleBar, value: number, total: number | null): void => {
      if (total !== null) bar.setTotal(total)
      bar.update(value, { rate: Math.round(value / seconds).toLocaleString('en') })
    }
    set(this.#bars.experiments, progress.experiments.done, progress.experiments.total)
    set(this.#bars.runs, progress.runs.done, progress.runs.total)
    set(this.#bars.rows, progress.metricRows, null)
    set(this.#bars.bytes, progress.artifactBytes, null)
  }

  stop(): void {
    this.#multi.stop()
  }
}

/** Human text for a copy summary. */
export function formatCopySummary(summary: CopySummary): string {
  const rows: [string, string][] = [
    ['Source', summary.source],
    [
      'Experiments',
      `${summary.experiments.copied} copied, ${summary.experiments.existing} already there, ` +
        `${summary.experiments.collided} collided`,
    ],
    [
      'Runs',
      `${summary.runs.copied} copied, ${summary.runs.existing} already there, ` +
        `${summary.runs.collided} collided, ${summary.runs.skipped} skipped`,
    ],
    ['Metric rows', summary.metricRows.toLocaleString('en')],
    [
      'Logged models',
      `${summary.loggedModels.copied} copied, ${summary.loggedModels.existing} already there, ` +
        `${summary.loggedModels.collided} collided, ${summary.loggedModels.skipped} skipped`,
    ],
    [
      'Registered models',
      `${summary.registeredModels.copied} copied (${summary.modelVersions} versions), ` +
        `${summary.registeredModels.existing} already there, ` +
        `${summary.registeredModels.collided} collided`,
    ],
  ]
  if (summary.artifacts) {
    rows.push([
      'Artifacts',
      `${summary.artifacts.files} files, ${summary.artifacts.bytes.toLocaleString('en')} bytes`,
    ])
  }
  if (summary.widenedExperimentIds) {
    rows.push([
      'Experiment ids',
      summary.dryRun ? 'would widen id columns to BIGINT' : 'id columns widened to BIGINT',
    ])
  }
  const unsupported = Object.entries(summary.unsupported)
  rows.push([
    'Not carried',
    unsupported.length === 0 ? 'nothing' : unsupported.map(([k, n]) => `${k} ${n}`).join(', '),
  ])
  rows.push(['Time', `${(summary.durationMs / 1000).toFixed(1)} s`])
  const lines = [
    (summary.dryRun ? 'Dry run: nothing was written.\n' : '') +
      (summary.resumed ? 'Resumed an interrupted copy.\n' : '') +
      table(rows),
  ]
  for (const collision of summary.collisions) {
    lines.push(`collision: ${collision.kind} ${collision.id}: ${collision.reason}`)
  }
  for (const entry of summary.skipped) {
    lines.push(`skipped: ${entry.kind} ${entry.id} (${entry.location}): ${entry.reason}`)
  }
  const remapped = Object.entries(summary.experimentIdMap)
  if (remapped.length > 0) {
    lines.push(`experiment ids: ${remapped.map(([a, b]) => `${a} → ${b}`).join(', ')}`)
  }
  return lines.join('\n')
}

/** Human text for a verify report. */
export function formatVerifyReport(report: VerifyReport): string {
  const tolerated = Object.entries(report.tolerated)
  const lines = [
    table([
      ['Compared', `${report.a}  ⟷  ${report.b}`],
      ['Experiments', String(report.experiments)],
      ['Runs', String(report.runs)],
      ['Metric rows', `${report.metricRows.a} / ${report.metricRows.b}`],
      ['Logged models', String(report.loggedModels)],
      [
        'Model metric rows',
        `${report.loggedModelMetricRows.a} / ${report.loggedModelMetricRows.b}`,
      ],
      ...(report.registry
        ? [
            ['Registered models', String(report.registry.registeredModels)] as [string, string],
            ['Model versions', String(report.registry.modelVersions)] as [string, string],
          ]
        : []),
      ...(report.artifacts
        ? [['Artifacts', `${report.artifacts.files} files`] as [string, string]]
        : []),
      [
        'Tolerated',
        tolerated.length === 0 ? 'nothing' : tolerated.map(([k, n]) => `${k} ${n}`).join(', '),
      ],
      ['Result', report.equal ? 'equal' : `${report.differenceCount} difference(s)`],
    ]),
  ]
  for (const d of report.differences) {
    const where = d.registeredModel
      ? `registered model ${d.registeredModel}` + (d.version ? ` version ${d.version}` : '')
      : d.loggedModelId
        ? `experiment ${d.experimentId} logged model ${d.loggedModelId}`
        : d.runId
          ? `experiment ${d.experimentId} run ${d.runId}`
          : `experiment ${d.experimentId}`
    lines.push(`${where}: ${d.what}: a=${d.a} b=${d.b}`)
  }
  if (report.differenceCount > report.differences.length) {
    lines.push(`… and ${report.differenceCount - report.differences.length} more`)
  }
  return lines.join('\n')
}

interface Endpoints {
  source: TransferSource
  sourceLabel: string
  sourceStore: OpenedStore | null
  destination: TransferDestination
  destinationStore: OpenedStore | null
  writer: JsonlWriter | null
  registry: {
    source: RegistrySource
    destination: RegistryDestination
    /** The stores' registries themselves (null for an export file), for verify. */
    sourceTransfer: RegistryTransfer | null
    destinationTransfer: RegistryTransfer | null
  }
  close(): Promise<void>
}

async function openEndpoints(
  from: string,
  to: string,
  options: MigrateCommandOptions,
  logger: Logger,
): Promise<Endpoints> {
  const closers: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer()
  }
  try {
    let source: TransferSource
    let sourceLabel: string
    let sourceStore: OpenedStore | null = null
    let registrySource: RegistrySource
    let sourceTransfer: RegistryTransfer | null = null
    if (isExportFile(from)) {
      const reader = await JsonlReader.open(path.resolve(from))
      closers.push(() => reader.close())
      source = reader
      registrySource = reader
      sourceLabel = path.resolve(from)
    } else {
      sourceStore = await openExistingStore(from, logger)
      closers.push(() => sourceStore!.store.close())
      source = sourceStore.store.transfer
      sourceLabel = sourceStore.label
      const registry = await openRegistry(from, logger)
      closers.push(() => registry.close())
      registrySource = registry.transfer
      sourceTransfer = registry.transfer
    }
    if (isExportFile(to)) {
      if (options.merge || options.artifactsTo || options.idStrategy === 'remap') {
        throw invalidParameter(
          '--merge, --artifacts-to and --id-strategy remap apply to a store destination, ' +
            `not to the export file ${to}`,
        )
      }
      const writer = await JsonlWriter.create(path.resolve(to), {
        source: sourceLabel,
        unsupported: await source.unsupportedContent(),
      })
      closers.push(() => writer.abort())
      return {
        source,
        sourceLabel,
        sourceStore,
        destination: writer,
        destinationStore: null,
        writer,
        registry: {
          source: registrySource,
          destination: writer,
          sourceTransfer,
          destinationTransfer: null,
        },
        close,
      }
    }
    const destinationStore = await openDestinationStore(to, logger)
    closers.push(() => destinationStore.store.close())
    const registry = await openRegistry(to, logger)
    closers.push(() => registry.close())
    return {
      source,
      sourceLabel,
      sourceStore,
      destination: destinationStore.store.transfer,
      destinationStore,
      writer: null,
      registry: {
        source: registrySource,
        destination: registry.transfer,
        sourceTransfer,
        destinationTransfer: registry.transfer,
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

export async function migrateCommand(
  from: string,
  to: string,
  options: MigrateCommandOptions,
  io: CliIo,
): Promise<void> {
  const logger = stderrLogger(io, options.verbose ?? false)
  const idStrategy = options.idStrategy ?? 'preserve'
  if (options.mappingFile && idStrategy !== 'remap') {
    throw invalidParameter('--mapping-file goes with --id-strategy remap')
  }
  if (options.verify && (isExportFile(from) || isExportFile(to))) {
    throw invalidParameter('--verify compares two stores; an export file is not one')
  }
  const endpoints = await openEndpoints(from, to, options, logger)
  const bars = ProgressBars.create(options.json)
  let summary: CopySummary
  let report: VerifyReport | null = null
  try {
    const destinationSql = endpoints.destinationStore?.sql ?? false
    summary = await copyStore(endpoints.source, endpoints.destination, {
      sourceLabel: endpoints.sourceLabel,
      merge: options.merge,
      onError: options.onError,
      idStrategy,
      dryRun: options.dryRun,
      skipUnsupported: options.skipUnsupported || isExportFile(to),
      registry: endpoints.registry,
      artifactsTo: options.artifactsTo,
      mappingFile:
        idStrategy === 'remap' ? (options.mappingFile ?? 'trackstore-id-map.json') : undefined,
      widenExperimentIds: destinationSql
        ? async () => {
            await widenExperimentIds(to, { logger })
          }
        : undefined,
      onProgress: bars ? (progress) => bars.update(progress) : undefined,
      logger,
    })
    await endpoints.writer?.close()
    bars?.stop()
    if (options.verify && !options.dryRun && endpoints.sourceStore && endpoints.destinationStore) {
      const { sourceStore: a, destinationStore: b, registry } = endpoints
      report = await verifyStores(
        {
          label: a.label,
          capabilities: a.store.capabilities,
          transfer: a.store.transfer,
          registry: registry.sourceTransfer ?? undefined,
        },
        {
          label: b.label,
          capabilities: b.store.capabilities,
          transfer: b.store.transfer,
          registry: registry.destinationTransfer ?? undefined,
        },
        {
          artifacts: options.artifactsTo !== undefined,
          compareLocations: options.artifactsTo === undefined && idStrategy === 'preserve',
          experimentIdMap: summary.experimentIdMap,
          logger,
        },
      )
    }
  } finally {
    bars?.stop()
    // A completed export file was renamed into place; closing removes only a partial one.
    await endpoints.close()
  }
  if (options.json) {
    io.out(JSON.stringify({ destination: storeOrFile(to), ...summary, verify: report }, null, 2))
  } else {
    io.out(formatCopySummary(summary))
    if (report) io.out(formatVerifyReport(report))
  }
  if (summary.collisions.length > 0) {
    throw invalidState(
      `${summary.collisions.length} experiment(s) or run(s) collided with the destination and ` +
        'were not copied (listed above)',
    )
  }
  if (report && !report.equal) {
    throw invalidState(`verify found ${report.differenceCount} difference(s) (listed above)`)
  }
}

function storeOrFile(uri: string): string {
  return isExportFile(uri) ? path.resolve(uri) : storeLabel(uri)
}
