import type { Logger, LogFields } from '../core/logger.js'

/** Where the CLI writes. Commands receive it, so tests can run them in-process. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
}

/** A logger for the library that writes to stderr: warnings always, progress with --verbose. */
export function stderrLogger(io: CliIo, verbose: boolean): Logger {
  const write =
    (level: string, enabled: boolean) =>
    (message: string, fields?: LogFields): void => {
      if (!enabled) return
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
      io.err(`${level}: ${message}${extra}`)
    }
  return {
    debug: write('debug', verbose),
    info: write('info', verbose),
    warn: write('warning', true),
    error: write('error', true),
  }
}

/** Aligned `label  value` lines for human output. */
export function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')
}
