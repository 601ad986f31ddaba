/** Number and time formats shared by the terminal table and the HTML report. */

/** A rate or count with three significant digits and thousands separators: `152,000`, `4.37`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  const rounded = Number(value.toPrecision(3))
  return rounded.toLocaleString('en-US', { maximumFractionDigits: digits })
}

/** A duration given in seconds, in the unit that reads best: `840 µs`, `4.2 ms`, `1.31 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1e-3) return `${formatNumber(seconds * 1e6)} µs`
  if (seconds < 1) return `${formatNumber(seconds * 1e3)} ms`
  return `${formatNumber(seconds)} s`
}

export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '' : `${Math.round(ratio * 100)} %`
}

/** `1k`, `100k`, `64` — sizes as people write them. */
export function formatSize(size: number): string {
  if (size >= 1_000_000 && size % 1_000_000 === 0) return `${size / 1_000_000}M`
  if (size >= 1_000 && size % 1_000 === 0) return `${size / 1_000}k`
  return String(size)
}
