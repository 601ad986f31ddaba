/** The report as a plain-text table for a terminal, followed by the missed targets. */
import type { BenchReport, BenchResult } from '../types.js'
import { formatNumber, formatRatio, formatSeconds, formatSize } from './format.js'

const HEADER = [
  'workload',
  'backend',
  'size',
  'median',
  'unit',
  'min – max',
  'time (median)',
  'vs baseline',
  'target',
]

function targetCell(result: BenchResult): string {
  if (result.meetsTarget === undefined) return ''
  return result.meetsTarget ? 'met' : 'MISSED'
}

function row(result: BenchResult): string[] {
  return [
    result.workload,
    result.backend,
    `${formatSize(result.size)} ${result.sizeUnit}`,
    formatNumber(result.median),
    result.unit,
    `${formatNumber(result.min)} – ${formatNumber(result.max)}`,
    formatSeconds(result.seconds.median),
    formatRatio(result.ratioToBaseline),
    targetCell(result),
  ]
}

/** Columns of text, numbers right-aligned. */
function layout(rows: string[][]): string {
  const widths = HEADER.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)))
  const numeric = new Set([3, 5, 6, 7])
  return rows
    .map((cells) =>
      cells
        .map((cell, column) =>
          numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Lines naming each missed target, with the figure that missed it. */
export function missedTargets(report: BenchReport): string[] {
  return report.results
    .filter((result) => result.meetsTarget === false)
    .map((result) => {
      const ratio =
        result.ratioToBaseline === undefined
          ? ''
          : `, ${formatRatio(result.ratioToBaseline)} of the baseline`
      return (
        `${result.workload} on ${result.backend} at ${formatSize(result.size)} ` +
        `${result.sizeUnit}: ${formatNumber(result.median)} ${result.unit} ` +
        `(${formatSeconds(result.seconds.median)}${ratio}); target ${result.target!.description}`
      )
    })
}

export function formatTable(report: BenchReport): string {
  const lines = [layout([HEADER, ...report.results.map(row)])]
  const missed = missedTargets(report)
  const targeted = report.results.filter((result) => result.target !== undefined).length
  if (targeted > 0) {
    lines.push('')
    lines.push(
      missed.length === 0
        ? `All ${targeted} targets met.`
        : `Targets missed (${missed.length} of ${targeted}):\n` +
            missed.map((line) => `  - ${line}`).join('\n'),
    )
  }
  for (const skipped of report.skipped) {
    lines.push(`Skipped ${skipped.backend}: ${skipped.reason}`)
  }
  return lines.join('\n')
}
