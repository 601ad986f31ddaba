/**
 * The store-to-store mover. It reads the source experiment by experiment and run by run, streams
 * each run's metric rows to the destination in batches, and writes every run in one atomic
 * step, so memory does not grow with the store and a copy killed at any moment leaves each run
 * complete or absent. Progress lives in the destination: its marker names the source, and the
 * runs already there are skipped on a rerun.
 */
import { writeFile } from 'node:fs/promises'
import { copyTree } from '../../artifacts/copy-tree.js'
import { openArtifactStore } from '../../artifacts/open-artifact-store.js'
import { appendToUriPath } from '../../core/artifact-uri.js'
import {
  TrackstoreError,
  invalidParameter,
  invalidState,
  isTrackstoreError,
} from '../../core/errors.js'
import { silentLogger } from '../../core/logger.js'
import type { Experiment, StoredMetric } from '../../metadata/metadata-store.js'
import type {
  TransferLoggedModel,
  TransferMarker,
  TransferRun,
  UnreadableEntry,
} from '../../metadata/transfer.js'
import type { TransferRegisteredModel } from '../../registry/registry-transfer.js'
import { rewriteExperimentLocation } from './locations.js'
import type {
  CopyOptions,
  CopyProgress,
  CopySummary,
  TransferDestination,
  TransferSource,
} from './types.js'

const DEFAULT_EXPERIMENT_ID = '0'

/** An error thrown by the source while a run was being written. */
class SourceFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original))
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/**
 * Copies everything `source` holds that transfers carry into `destination`.
 *
 * @throws INVALID_STATE when the destination holds other data and `merge` is off, when a
 *   preserved experiment id does not fit the destination and cannot be widened, or (with
 *   `onError: 'fail'`) at the first unreadable source entry, naming its file and the reason.
 */
export async function copyStore(
  source: TransferSource,
  destination: TransferDestination,
  options: CopyOptions,
): Promise<CopySummary> {
  return new StoreCopy(source, destination, options).run()
}

class StoreCopy {
  readonly #source: TransferSource
  readonly #destination: TransferDestination
  readonly #options: CopyOptions
  readonly #dry: boolean
  readonly #logger
  readonly #summary: CopySummary
  readonly #progress: CopyProgress
  #marker: TransferMarker | null = null
  #idLimit: bigint | null | undefined
  /** Source experiments not copied (collided): their logged models are not copied either. */
  readonly #collidedExperiments = new Set<string>()
  /** Logged-model artifact locations moved by `artifactsTo`: old → new. */
  readonly #movedModelLocations = new Map<string, string>()

  constructor(source: TransferSource, destination: TransferDestination, options: CopyOptions) {
    this.#source = source
    this.#destination = destination
    this.#options = options
    this.#dry = options.dryRun ?? false
    this.#logger = options.logger ?? silentLogger
    this.#summary = {
      source: options.sourceLabel,
      dryRun: this.#dry,
      resumed: false,
      idStrategy: options.idStrategy ?? 'preserve',
      experiments: { copied: 0, existing: 0, collided: 0 },
      runs: { copied: 0, existing: 0, collided: 0, skipped: 0 },
      metricRows: 0,
      loggedModels: { copied: 0, existing: 0, collided: 0, skipped: 0 },
      registeredModels: { copied: 0, existing: 0, collided: 0 },
      modelVersions: 0,
      artifacts: options.artifactsTo === undefined ? null : { files: 0, bytes: 0 },
      collisions: [],
      skipped: [],
      unsupported: {},
      experimentIdMap: {},
      widenedExperimentIds: false,
      durationMs: 0,
    }
    this.#progress = {
      experiments: { done: 0, total: null },
      runs: { done: 0, total: null },
      metricRows: 0,
      artifactBytes: 0,
      current: null,
    }
  }

  async run(): Promise<CopySummary> {
    const started = Date.now()
    if (!['fail', 'skip', undefined].includes(this.#options.onError)) {
      throw invalidParameter(`Invalid onError ${JSON.stringify(this.#options.onError)}`)
    }
    if (!['preserve', 'remap'].includes(this.#summary.idStrategy)) {
      throw invalidParameter(`Invalid idStrategy ${JSON.stringify(this.#summary.idStrategy)}`)
    }
    this.#summary.unsupported = await this.#source.unsupportedContent()
    const unsupported = Object.entries(this.#summary.unsupported)
    if (unsupported.length > 0 && !this.#options.skipUnsupported && !this.#dry) {
      throw invalidState(
        'The source holds content trackstore does not carry yet: ' +
          `${unsupported.map(([kind, n]) => `${kind} ${n}`).join(', ')}. ` +
          'Copy the rest without it with --skip-unsupported (skipUnsupported).',
      )
    }
    await this.#prepareDestination()
    await this.#countTotals()
    this.#emit()
    for await (const experiment of this.#source.experiments({
      onUnreadable: this.#unreadableHandler(),
    })) {
      await this.#copyExperiment(experiment)
      this.#progress.experiments.done += 1
      this.#emit()
    }
    for await (const model of this.#source.loggedModels({
      onUnreadable: this.#unreadableHandler(),
    })) {
      await this.#copyLoggedModel(model)
    }
    if (this.#options.registry !== undefined) {
      for await (const model of this.#options.registry.source.registeredModels({
        onUnreadable: this.#unreadableHandler(),
      })) {
        await this.#copyRegisteredModel(model)
      }
    }
    if (!this.#dry && this.#marker !== null) {
      this.#marker = { ...this.#marker, completedAt: Date.now() }
      await this.#destination.writeMarker(this.#marker)
    }
    if (this.#options.mappingFile !== undefined && !this.#dry) {
      const text = `${JSON.stringify(this.#summary.experimentIdMap, null, 2)}\n`
      await writeFile(this.#options.mappingFile, text, 'utf8')
    }
    this.#summary.durationMs = Date.now() - started
    return this.#summary
  }

  /** Refuses a destination with other data (unless merging) and records the marker. */
  async #prepareDestination(): Promise<void> {
    const marker = await this.#destination.readMarker()
    const resuming = marker !== null && marker.source === this.#options.sourceLabel
    if (resuming && marker.idStrategy !== this.#summary.idStrategy) {
      throw invalidState(
        `The destination holds a copy of ${marker.source} made with id strategy ` +
          `'${marker.idStrategy}'; rerun it with that strategy, not '${this.#summary.idStrategy}'`,
      )
    }
    const registryEmpty = (await this.#options.registry?.destination.isEmpty()) ?? true
    const empty = registryEmpty && (await this.#destination.isEmpty())
    if (!resuming && !this.#options.merge && !empty) {
      throw invalidState(
        'The destination already holds experiments or runs' +
          (marker ? ` (copied from ${marker.source})` : '') +
          '. Copy into it anyway with the merge option (--merge): experiments and runs already ' +
          'there are kept, and any id or name collision is reported, never overwritten.',
      )
    }
    this.#summary.resumed = resuming
    if (resuming) {
      this.#summary.experimentIdMap = { ...(marker.experimentIds ?? {}) }
      this.#logger.info(`Resuming the copy from ${marker.source}`)
    }
    const next: TransferMarker = resuming
      ? { ...marker, completedAt: null }
      : {
          source: this.#options.sourceLabel,
          startedAt: Date.now(),
          idStrategy: this.#summary.idStrategy,
          completedAt: null,
          ...(this.#summary.idStrategy === 'remap' ? { experimentIds: {} } : {}),
        }
    this.#marker = next
    if (!this.#dry) await this.#destination.writeMarker(next)
    this.#logger.info('Copy started', { resumed: resuming })
  }

  /** Run totals for progress, when the source can list run ids cheaply. */
  async #countTotals(): Promise<void> {
    const runIds = this.#source.runIds?.bind(this.#source)
    if (runIds === undefined) return
    let experiments = 0
    let runs = 0
    for await (const experiment of this.#source.experiments({ onUnreadable: () => {} })) {
      experiments += 1
      runs += (await runIds(experiment.experimentId)).size
    }
    this.#progress.experiments.total = experiments
    this.#progress.runs.total = runs
  }

  #emit(): void {
    this.#options.onProgress?.({
      ...this.#progress,
      experiments: { ...this.#progress.experiments },
      runs: { ...this.#progress.runs },
    })
  }

  #unreadableHandler(): ((entry: UnreadableEntry) => void) | undefined {
    if ((this.#options.onError ?? 'fail') === 'fail') return undefined
    return (entry) => {
      this.#logger.warn(`Skipping unreadable ${entry.kind} ${entry.id}: ${entry.reason}`, {
        location: entry.location,
      })
      this.#summary.skipped.push(entry)
      if (entry.kind === 'run') this.#summary.runs.skipped += 1
      if (entry.kind === 'loggedModel') this.#summary.loggedModels.skipped += 1
    }
  }

  // -------------------------------------------------------------------------------------------
  // Experiments

  async #destinationExperimentId(experiment: Experiment): Promise<string> {
    const sourceId = experiment.experimentId
    if (this.#summary.idStrategy === 'preserve' || sourceId === DEFAULT_EXPERIMENT_ID) {
      return sourceId
    }
    const known = this.#summary.experimentIdMap[sourceId]
    if (known !== undefined) return known
    const id = this.#dry ? `<new id for ${sourceId}>` : await this.#destination.newExperimentId()
    this.#summary.experimentIdMap[sourceId] = id
    if (!this.#dry && this.#marker !== null) {
      // Recorded before the experiment is written, so a rerun reuses the same id.
      this.#marker = { ...this.#marker, experimentIds: { ...this.#summary.experimentIdMap } }
      await this.#destination.writeMarker(this.#marker)
    }
    return id
  }

  /** Makes sure a preserved numeric id fits the destination, widening it once if allowed. */
  async #checkIdFits(experimentId: string): Promise<void> {
    if (this.#summary.idStrategy !== 'preserve' || !/^\d+$/.test(experimentId)) return
    if (this.#idLimit === undefined) this.#idLimit = await this.#destination.maxExperimentId()
    if (this.#idLimit === null || BigInt(experimentId) <= this.#idLimit) return
    if (this.#dry || this.#options.widenExperimentIds === undefined) {
      if (this.#dry && this.#options.widenExperimentIds !== undefined) {
        this.#summary.widenedExperimentIds = true
        return
      }
      throw invalidState(
        `Experiment id ${experimentId} is larger than the destination's experiment id ` +
          `columns hold (${this.#idLimit}). Widen them to BIGINT first ` +
          '(`trackstore db upgrade --widen-experiment-ids <uri>`), or give the experiments ' +
          'new ids (--id-strategy remap).',
      )
    }
    this.#logger.info(`Experiment id ${experimentId} needs BIGINT experiment id columns`)
    await this.#options.widenExperimentIds()
    this.#summary.widenedExperimentIds = true
    this.#idLimit = await this.#destination.maxExperimentId()
    if (this.#idLimit !== null && BigInt(experimentId) > this.#idLimit) {
      throw invalidState(
        `Experiment id ${experimentId} still does not fit the destination after widening ` +
          `(largest id ${this.#idLimit})`,
      )
    }
  }

  async #copyExperiment(sourceExperiment: Experiment): Promise<void> {
    const sourceId = sourceExperiment.experimentId
    const targetId = await this.#destinationExperimentId(sourceExperiment)
    await this.#checkIdFits(targetId)
    const experiment: Experiment = { ...sourceExperiment, experimentId: targetId }
    if (this.#options.artifactsTo !== undefined) {
      experiment.artifactLocation = appendToUriPath(this.#options.artifactsTo, targetId)
    } else if (targetId !== sourceId) {
      experiment.artifactLocation = rewriteExperimentLocation(
        experiment.artifactLocation,
        sourceId,
        targetId,
      )
    }
    const outcome = await this.#putExperiment(experiment)
    if (outcome === 'collided') {
      this.#collidedExperiments.add(sourceId)
      return
    }
    const present = this.#dry
      ? await this.#presentRunsDry(targetId)
      : await this.#destination.runIds(targetId)
    for await (const run of this.#source.runs(sourceId, {
      onUnreadable: this.#unreadableHandler(),
    })) {
      await this.#copyRun(run, targetId, present)
      this.#progress.runs.done += 1
      this.#emit()
    }
  }

  async #presentRunsDry(experimentId: string): Promise<Set<string>> {
    try {
      return await this.#destination.runIds(experimentId)
    } catch (error) {
      if (isTrackstoreError(error, 'RESOURCE_DOES_NOT_EXIST')) return new Set()
      throw error
    }
  }

  async #putExperiment(experiment: Experiment): Promise<'created' | 'exists' | 'collided'> {
    const collide = (reason: string): 'collided' => {
      this.#summary.experiments.collided += 1
      this.#summary.collisions.push({
        kind: 'experiment',
        id: experiment.experimentId,
        name: experiment.name,
        reason,
      })
      this.#logger.warn(`Experiment ${experiment.experimentId} not copied: ${reason}`)
      return 'collided'
    }
    if (this.#dry) {
      const reason = await this.#dryCollision(experiment)
      if (reason === 'exists') {
        this.#summary.experiments.existing += 1
        return 'exists'
      }
      if (reason !== null) return collide(reason)
      this.#summary.experiments.copied += 1
      return 'created'
    }
    try {
      const outcome = await this.#destination.putExperiment(experiment)
      if (outcome === 'exists') this.#summary.experiments.existing += 1
      else this.#summary.experiments.copied += 1
      return outcome
    } catch (error) {
      if (isTrackstoreError(error, 'RESOURCE_ALREADY_EXISTS')) return collide(error.message)
      throw error
    }
  }

  /** What `putExperiment` would answer, read from the destination's experiments. */
  async #dryCollision(experiment: Experiment): Promise<string | 'exists' | null> {
    const list = this.#destination.experiments?.bind(this.#destination)
    if (list === undefined) return null
    for await (const existing of list({ onUnreadable: () => {} })) {
      const sameId = existing.experimentId === experiment.experimentId
      const sameName = existing.name === experiment.name
      if (sameId && sameName) return 'exists'
      if (sameId || sameName) {
        return (
          `experiment ${existing.experimentId} '${existing.name}' already holds that ` +
          (sameId ? 'id' : 'name')
        )
      }
    }
    return null
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  async #copyRun(
    sourceRun: TransferRun,
    experimentId: string,
    present: Set<string>,
  ): Promise<void> {
    const runId = sourceRun.info.runId
    this.#progress.current = { experimentId, runId }
    if (present.has(runId)) {
      this.#summary.runs.existing += 1
      return
    }
    const sourceExperimentId = sourceRun.info.experimentId
    const info = { ...sourceRun.info, experimentId }
    const failed = (error: unknown): void => {
      const entry: UnreadableEntry = {
        kind: 'run',
        id: runId,
        location: `experiment ${sourceExperimentId}`,
        reason: messageOf(error),
      }
      if ((this.#options.onError ?? 'fail') === 'fail') {
        throw new TrackstoreError(
          isTrackstoreError(error) ? error.code : 'INTERNAL_ERROR',
          `Cannot copy run ${runId} of experiment ${sourceExperimentId}: ${entry.reason}. ` +
            'Nothing of this run was written; rerun with --on-error skip to copy the rest.',
          { cause: error },
        )
      }
      this.#unreadableHandler()!(entry)
    }

    if (this.#options.artifactsTo !== undefined) {
      const target = appendToUriPath(this.#options.artifactsTo, experimentId, runId, 'artifacts')
      try {
        if (!this.#dry) await this.#copyArtifacts(sourceRun.info.artifactUri, target)
      } catch (error) {
        failed(error)
        return
      }
      info.artifactUri = target
    }

    let rows = 0
    const counted = this.#countedRows(sourceRun)
    if (this.#dry) {
      try {
        for await (const batch of counted) rows += batch.length
      } catch (error) {
        failed(error instanceof SourceFailure ? error.original : error)
        return
      }
      this.#summary.runs.copied += 1
      this.#summary.metricRows += rows
      return
    }
    try {
      const outcome = await this.#destination.putRun({
        info,
        params: sourceRun.data.params,
        tags: sourceRun.data.tags,
        datasetInputs: sourceRun.inputs.datasetInputs,
        modelInputs: sourceRun.inputs.modelInputs ?? [],
        modelOutputs: sourceRun.outputs?.modelOutputs ?? [],
        metrics: (async function* (self: StoreCopy) {
          for await (const batch of counted) {
            rows += batch.length
            self.#progress.metricRows += batch.length
            self.#emit()
            yield batch
          }
        })(this),
      })
      if (outcome === 'exists') this.#summary.runs.existing += 1
      else this.#summary.runs.copied += 1
      this.#summary.metricRows += rows
    } catch (error) {
      this.#progress.metricRows -= rows
      if (error instanceof SourceFailure) {
        failed(error.original)
        return
      }
      if (isTrackstoreError(error, 'RESOURCE_ALREADY_EXISTS')) {
        this.#summary.runs.collided += 1
        this.#summary.collisions.push({ kind: 'run', id: runId, reason: error.message })
        this.#logger.warn(`Run ${runId} not copied: ${error.message}`)
        return
      }
      throw error
    }
  }

  // -------------------------------------------------------------------------------------------
  // Logged models and the registry

  async #copyLoggedModel(source: TransferLoggedModel): Promise<void> {
    const counts = this.#summary.loggedModels
    const { modelId } = source
    const collide = (reason: string): void => {
      counts.collided += 1
      this.#summary.collisions.push({ kind: 'loggedModel', id: modelId, reason })
      this.#logger.warn(`Logged model ${modelId} not copied: ${reason}`)
    }
    if (this.#collidedExperiments.has(source.experimentId)) {
      collide(`its experiment ${source.experimentId} collided`)
      return
    }
    const experimentId = this.#summary.experimentIdMap[source.experimentId] ?? source.experimentId
    const model: TransferLoggedModel = { ...source, experimentId }
    const failed = (error: unknown): void => {
      const entry: UnreadableEntry = {
        kind: 'loggedModel',
        id: modelId,
        location: `experiment ${source.experimentId}`,
        reason: messageOf(error),
      }
      if ((this.#options.onError ?? 'fail') === 'fail') {
        throw new TrackstoreError(
          isTrackstoreError(error) ? error.code : 'INTERNAL_ERROR',
          `Cannot copy logged model ${modelId} of experiment ${source.experimentId}: ` +
            `${entry.reason}. Rerun with --on-error skip to copy the rest.`,
          { cause: error },
        )
      }
      this.#unreadableHandler()!(entry)
    }
    if (this.#options.artifactsTo !== undefined) {
      const target = appendToUriPath(
        this.#options.artifactsTo,
        experimentId,
        'models',
        modelId,
        'artifacts',
      )
      try {
        if (!this.#dry && source.artifactLocation !== '') {
          await this.#copyArtifacts(source.artifactLocation, target)
        }
      } catch (error) {
        failed(error)
        return
      }
      if (source.artifactLocation !== '') {
        this.#movedModelLocations.set(source.artifactLocation.replace(/\/+$/, ''), target)
      }
      model.artifactLocation = target
    }
    if (this.#dry) {
      counts.copied += 1
      return
    }
    try {
      const outcome = await this.#destination.putLoggedModel(model)
      if (outcome === 'exists') counts.existing += 1
      else counts.copied += 1
    } catch (error) {
      if (isTrackstoreError(error, 'RESOURCE_ALREADY_EXISTS')) {
        collide(error.message)
        return
      }
      failed(error)
    }
  }

  /** A location inside a logged model's moved artifacts, pointed at the new place. */
  #movedLocation(location: string | null): string | null {
    if (location === null || this.#movedModelLocations.size === 0) return location
    for (const [from, to] of this.#movedModelLocations) {
      if (location === from || location === `${from}/`) return to
      if (location.startsWith(`${from}/`)) return `${to}${location.slice(from.length)}`
    }
    return location
  }

  async #copyRegisteredModel(source: TransferRegisteredModel): Promise<void> {
    const counts = this.#summary.registeredModels
    const model: TransferRegisteredModel = {
      ...source,
      versions: source.versions.map((version) => ({
        ...version,
        source: this.#movedLocation(version.source),
        storageLocation: this.#movedLocation(version.storageLocation),
      })),
    }
    if (this.#dry) {
      counts.copied += 1
      this.#summary.modelVersions += model.versions.length
      return
    }
    try {
      const outcome = await this.#options.registry!.destination.putRegisteredModel(model)
      if (outcome === 'exists') {
        counts.existing += 1
        return
      }
      counts.copied += 1
      this.#summary.modelVersions += model.versions.length
    } catch (error) {
      if (!isTrackstoreError(error, 'RESOURCE_ALREADY_EXISTS')) throw error
      counts.collided += 1
      this.#summary.collisions.push({
        kind: 'registeredModel',
        id: source.name,
        reason: error.message,
      })
    }
  }

  /** The source's metric rows in batches of about `metricBatchSize`, its errors marked. */
  async *#countedRows(run: TransferRun): AsyncIterable<StoredMetric[]> {
    const size = this.#options.metricBatchSize ?? 10_000
    let pending: StoredMetric[] = []
    try {
      for await (const batch of this.#source.metricRows(run.info.runId, run.info.experimentId)) {
        if (pending.length === 0 && batch.length >= size) {
          yield batch
          continue
        }
        pending.push(...batch)
        if (pending.length >= size) {
          yield pending
          pending = []
        }
      }
    } catch (error) {
      throw new SourceFailure(error)
    }
    if (pending.length > 0) yield pending
  }

  async #copyArtifacts(from: string, to: string): Promise<void> {
    const open = this.#options.openArtifacts ?? ((uri: string) => openArtifactStore(uri))
    const source = open(from)
    const destination = open(to)
    try {
      const result = await copyTree(source, destination, {
        onFile: (file) => {
          this.#progress.artifactBytes += file.fileSize ?? 0
          this.#emit()
        },
      })
      this.#summary.artifacts!.files += result.files
      this.#summary.artifacts!.bytes += result.bytes
    } finally {
      await Promise.all([source.close(), destination.close()])
    }
  }
}
