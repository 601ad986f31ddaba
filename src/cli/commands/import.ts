import type { Command } from 'commander'
import { invalidParameter } from '../../core/errors.js'
import { isExportFile } from '../../migrate/jsonl/index.js'
import type { CliIo } from '../io.js'
import { addCopyOptions, migrateCommand, type MigrateCommandOptions } from './migrate.js'

/** `trackstore import <file> <store>`: an export file into a store (resumable, as migrate). */
export function registerImportCommands(program: Command, io: CliIo): void {
  const command = program
    .command('import')
    .description(
      'copy an export file into a store, with the options of migrate; a rerun after an ' +
        'interruption continues where it stopped',
    )
    .argument('<file>', 'an export file written by trackstore export (*.jsonl, *.jsonl.gz)')
    .argument('<store>', 'destination: mlruns folder, sqlite:///…, postgresql://…, mysql://…')
  addCopyOptions(command).action((file: string, store: string, options: MigrateCommandOptions) =>
    importCommand(file, store, options, io),
  )
}

export async function importCommand(
  file: string,
  store: string,
  options: MigrateCommandOptions,
  io: CliIo,
): Promise<void> {
  if (!isExportFile(file)) {
    throw invalidParameter(`Invalid export file name '${file}': it must end in .jsonl or .jsonl.gz`)
  }
  if (isExportFile(store)) {
    throw invalidParameter(`Invalid destination '${store}': import writes to a store`)
  }
  await migrateCommand(file, store, options, io)
}
