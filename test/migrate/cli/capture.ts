import { runCli } from '../../../src/cli/main.js'
import type { CliIo } from '../../../src/cli/io.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process and captures what it prints. */
export async function cli(...args: string[]): Promise<CliResult> {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { out: (text) => void out.push(text), err: (text) => void err.push(text) }
  const code = await runCli(args, io)
  return { code, stdout: out.join('\n'), stderr: err.join('\n') }
}
