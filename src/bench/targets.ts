/**
 * The targets issue 7 sets for trackstore on SQLite, turned into rates so that every figure reads
 * the same way (higher is better). A figure meets its target when its median does.
 */
import type { Target } from './types.js'

/** The backend the targets are set for. */
export const TARGET_BACKEND = 'sqlite'

/** The target of one figure, or undefined where the issue names none. */
export function targetFor(workload: string, backend: string, size: number): Target | undefined {
  if (backend !== TARGET_BACKEND) return undefined
  switch (workload) {
    case 'ingest':
      return {
        minimum: 150_000,
        minimumRatioToBaseline: 0.65,
        description: '≥ 150k metrics/s and ≥ 65 % of the raw baseline',
      }
    case 'run-creation':
      return { minimum: 1_000, description: '1,000 runs × 30 values in ≤ 1 s (≥ 1,000 runs/s)' }
    case 'search':
      if (size === 1_000) return { minimum: 200, description: '≤ 5 ms per search over 1k runs' }
      if (size === 100_000)
        return { minimum: 10, description: '≤ 100 ms per search over 100k runs' }
      return undefined
    case 'history':
      if (size === 10_000) {
        return { minimum: 1_000_000, description: '10k points in ≤ 10 ms (≥ 1M points/s)' }
      }
      return undefined
    default:
      return undefined
  }
}

/** Whether a median (and its ratio to the baseline, where one is asked for) meets the target. */
export function meetsTarget(target: Target, median: number, ratioToBaseline?: number): boolean {
  if (median < target.minimum) return false
  if (target.minimumRatioToBaseline === undefined) return true
  return ratioToBaseline !== undefined && ratioToBaseline >= target.minimumRatioToBaseline
}
