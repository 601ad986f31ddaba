/**
 * Deterministic data for the workloads: the same seed gives the same metrics, params and tags on
 * every backend, so every backend does the same work.
 */
import type { Metric } from '../../index.js'

/** A small seeded generator of floats in [0, 1) (an xorshift variant; not for cryptography). */
export function seededRandom(seed: number): () => number {
  // Scramble the seed first: xorshift started from a small number gives tiny values for a while.
  let state = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b)
  state = Math.imul(state ^ (state >>> 13), 0xc2b2ae35)
  state = (state ^ (state >>> 16)) >>> 0 || 0x9e3779b9
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 0x100000000
  }
}

/** Metric keys the ingest and history workloads spread their values over. */
export const METRIC_KEYS = Array.from({ length: 10 }, (_, index) => `metric_${index}`)

/** The batch size of every write: MLflow's limit for metrics in one log_batch. */
export const BATCH_SIZE = 1000

/**
 * `count` metric values cycling over `keys`, one step per full cycle, timestamps one millisecond
 * apart per step, as a training loop logs them.
 */
export function trainingMetrics(count: number, keys: readonly string[], seed: number): Metric[] {
  const random = seededRandom(seed)
  const start = 1_700_000_000_000
  const metrics: Metric[] = new Array(count)
  for (let index = 0; index < count; index++) {
    const step = Math.floor(index / keys.length)
    metrics[index] = {
      key: keys[index % keys.length]!,
      value: random(),
      timestamp: start + step,
      step,
    }
  }
  return metrics
}

/** Splits a list into consecutive batches of at most `size` items. */
export function batches<T>(items: readonly T[], size: number = BATCH_SIZE): T[][] {
  const result: T[][] = []
  for (let index = 0; index < items.length; index += size) {
    result.push(items.slice(index, index + size))
  }
  return result
}

/** Seconds elapsed since `start`, a value of `performance.now()`. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000
}
