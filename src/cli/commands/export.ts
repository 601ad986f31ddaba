import path from 'node:path'
import { Option, type Command } from 'commander'
import { invalidParameter } from '../../core/errors.js'
import type { OnError } from '../../migrate/copy/index.js'
import { exportStore, isExportFile } from '../../migrate/jsonl/index.js'
import { stderrLogger, type CliIo } from '../io.js'
import {
  formatCopySummary,
  openExistingStore,
  openRegistry,
  ProgressBars,
  storeLabel,
} from './migrate.js'

export interface ExportCommandOptions {
  onError?: OnError
  json?: boolean
  verbose?: boolean
}

/** `trackstore export <store> <file>`: a store as one JSON Lines file. */
export function registerExportCommands(program: Command, io: CliIo): void {
  program
    .command('export')
    .description("write a store to trackstore's versioned JSON Lines export format (gzip for .gz)")
    .argument('<store>', 'mlruns folder, sqlite:///…, postgresql://…, mysql://…')
    .argument('<file>', 'the export file to write: *.jsonl or *.jsonl.gz')
    .addOption(
      new Option('--on-error <mode>', 'on an unreadable source entry: stop, or list it and go on')
        .choices(['fail', 'skip'])
        .default('fail'),
    )
    .option('--json', 'print a machine-readable summary instead of progress bars and text')
    .option('-v, --verbose', 'log each step to stderr')
    .action((store: string, file: string, options: ExportCommandOptions) =>
      exportCommand(store, file, options, io),
    )
}

export async function exportCommand(
  uri: string,
  file: string,
  options: ExportCommandOptions,
  io: CliIo,
): Promise<void> {
  if (!isExportFile(file)) {
    throw invalidParameter(`Invalid export file name '${file}': it must end in .jsonl or .jsonl.gz`)
  }
  const logger = stderrLogger(io, options.verbose ?? false)
  const opened = await openExistingStore(uri, logger)
  const registry = await openRegistry(uri, logger).catch(async (error: unknown) => {
    await opened.store.close()
    throw error
  })
  const bars = ProgressBars.create(options.json)
  try {
    const summary = await exportStore(opened.store.transfer, path.resolve(file), {
      sourceLabel: storeLabel(uri),
      registry: registry.transfer,
      onError: options.onError,
      onProgress: bars ? (progress) => bars.update(progress) : undefined,
      logger,
    })
    bars?.stop()
    io.out(
      options.json
        ? JSON.stringify({ file: path.resolve(file), ...summary }, null, 2)
        : `${formatCopySummary(summary)}\nWrote ${path.resolve(file)}`,
    )
  } finally {
    bars?.stop()
    await registry.close()
    await opened.store.close()
  }
}
