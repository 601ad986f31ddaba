#!/usr/bin/env node
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Command, CommanderError } from 'commander'
import { isTrackstoreError } from '../core/errors.js'
import { registerBenchCommands } from './commands/bench.js'
import { registerDbCommands } from './commands/db.js'
import { registerExportCommands } from './commands/export.js'
import { registerImportCommands } from './commands/import.js'
import { registerMigrateCommands } from './commands/migrate.js'
import { registerQuickstartCommands } from './commands/quickstart.js'
import { registerVerifyCommands } from './commands/verify.js'
import { processIo, type CliIo } from './io.js'

/** Adds one group of subcommands (`trackstore db …`) to the program. */
export type CommandGroup = (program: Command, io: CliIo) => void

/** Every command group; registering a new one is one line here. */
const COMMAND_GROUPS: readonly CommandGroup[] = [
  registerDbCommands,
  registerBenchCommands,
  registerMigrateCommands,
  registerVerifyCommands,
  registerExportCommands,
  registerImportCommands,
  registerQuickstartCommands,
]

export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('trackstore')
    .description('Storage layer and migration toolkit for MLflow-compatible tracking data')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
  for (const register of COMMAND_GROUPS) register(program, io)
  return program
}

/**
 * Runs the CLI and returns its exit code: 0 when the command succeeded, 1 when it failed (the
 * error's message and code go to stderr), commander's own code for usage errors.
 */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...args], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (isTrackstoreError(error)) io.err(`error: ${error.message} (${error.code})`)
    else io.err(`error: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  // `trackstore … | head` closes stdout early: stop quietly instead of crashing with EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  process.exitCode = await runCli(process.argv.slice(2))
}
