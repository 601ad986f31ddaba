/**
 * What verify forgives: the differences MLflow's own file and SQL stores show for the same
 * content (fixtures/README.md), derived from the capability flags of the stores compared and of
 * any store the data passed through, never from a backend's name.
 */
import type {
  LoggedModelMetric,
  StoreCapabilities,
  StoredMetric,
} from '../../metadata/metadata-store.js'
import type { StoreTransfer } from '../../metadata/transfer.js'
import type { RegistryTransfer } from '../../registry/registry-transfer.js'

/** How a store (or a hop the data took) may have changed metric rows. */
export interface Lossiness {
  /** ±Infinity stored as ±1.7976931348623157e308 and -0.0 as 0.0 (SQL stores). */
  clampsInfinity: boolean
  /** Identical metric rows kept once (SQL primary keys). */
  collapsesDuplicateRows: boolean
  /** The dataset name and digest of metric rows not kept (SQL stores). */
  dropsMetricDatasets: boolean
  /** A NaN logged-model metric read back as 0 (`logged_model_metrics` has no is_nan column). */
  zeroesLoggedModelNaN: boolean
  /** Model versions keep no logged model id (MLflow's SQL registry has no column for it). */
  dropsModelVersionModelId: boolean
}

/**
 * The lossiness of a store. `registry` is its registry's transfer facet; without one, model
 * version ids count as kept (no registry, nothing to lose).
 */
export function lossinessOf(
  capabilities: StoreCapabilities,
  transfer: Pick<StoreTransfer, 'keepsMetricDatasets'>,
  registry?: Pick<RegistryTransfer, 'persistsModelVersionModelId'>,
): Lossiness {
  return {
    clampsInfinity: capabilities.clampsInfinity,
    collapsesDuplicateRows: !capabilities.keepsDuplicateMetricRows,
    dropsMetricDatasets: !transfer.keepsMetricDatasets,
    zeroesLoggedModelNaN: !capabilities.keepsLoggedModelMetricNaN,
    dropsModelVersionModelId: registry ? !registry.persistsModelVersionModelId : false,
  }
}

export function combine(items: readonly Lossiness[]): Lossiness {
  return {
    clampsInfinity: items.some((item) => item.clampsInfinity),
    collapsesDuplicateRows: items.some((item) => item.collapsesDuplicateRows),
    dropsMetricDatasets: items.some((item) => item.dropsMetricDatasets),
    zeroesLoggedModelNaN: items.some((item) => item.zeroesLoggedModelNaN),
    dropsModelVersionModelId: items.some((item) => item.dropsModelVersionModelId),
  }
}

/** Names of the tolerated differences, as counted in a report. */
export type ToleratedKind =
  | 'infClamp'
  | 'negativeZero'
  | 'duplicateRows'
  | 'metricDatasets'
  | 'trashedArtifacts'
  | 'loggedModelNaN'
  | 'modelVersionModelId'

export type Tolerated = Partial<Record<ToleratedKind, number>>

export function tally(tolerated: Tolerated, kind: ToleratedKind, n = 1): void {
  if (n > 0) tolerated[kind] = (tolerated[kind] ?? 0) + n
}

/** A metric value as the lossiest store involved would keep it. */
export function normalizeValue(value: number, loss: Lossiness): number {
  if (!loss.clampsInfinity) return value
  if (value === Infinity) return Number.MAX_VALUE
  if (value === -Infinity) return -Number.MAX_VALUE
  return Object.is(value, -0) ? 0 : value
}

/** Canonical text of a value: NaN, ±Infinity and -0 spelled out. */
export function valueText(value: number): string {
  if (Object.is(value, -0)) return '-0'
  return String(value)
}

/**
 * A metric row normalised for comparison, as text: `step timestamp value [name digest]`. The
 * text of rows with the same (step, timestamp, value) sorts them the same way on both sides.
 */
export function rowText(metric: StoredMetric, loss: Lossiness, tolerated: Tolerated): string {
  const value = normalizeValue(metric.value, loss)
  if (!Object.is(value, metric.value)) {
    tally(tolerated, Number.isFinite(metric.value) ? 'negativeZero' : 'infClamp')
  }
  let text = `${metric.step} ${metric.timestamp} ${valueText(value)}`
  const hasDataset = Boolean(metric.datasetName && metric.datasetDigest)
  if (hasDataset) {
    if (loss.dropsMetricDatasets) tally(tolerated, 'metricDatasets')
    else text += ` ${metric.datasetName} ${metric.datasetDigest}`
  }
  return text
}

/**
 * A logged-model metric row normalised for comparison, as text:
 * `step timestamp value run [name digest]` (SQL keeps the dataset of these rows).
 */
export function loggedModelRowText(
  metric: LoggedModelMetric,
  loss: Lossiness,
  tolerated: Tolerated,
): string {
  let raw = metric.value
  if (Number.isNaN(raw) && loss.zeroesLoggedModelNaN) {
    tally(tolerated, 'loggedModelNaN')
    raw = 0
  }
  const value = normalizeValue(raw, loss)
  if (!Object.is(value, raw)) {
    tally(tolerated, Number.isFinite(raw) ? 'negativeZero' : 'infClamp')
  }
  let text = `${metric.step} ${metric.timestamp} ${valueText(value)} ${metric.runId}`
  if (metric.datasetName && metric.datasetDigest) {
    text += ` ${metric.datasetName} ${metric.datasetDigest}`
  }
  return text
}
