import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { invalidParameter, invalidState } from '../../core/errors.js'
import { verifyStores } from '../../migrate/verify/index.js'
import { stderrLogger, type CliIo } from '../io.js'
import type { ModelRegistryStore } from '../../registry/registry-store.js'
import { formatVerifyReport, openExistingStore, openRegistry, type OpenedStore } from './migrate.js'

export interface VerifyCommandOptions {
  artifacts?: boolean
  ignoreLocations?: boolean
  idMap?: string
  json?: boolean
  verbose?: boolean
}

const STORE_HELP = 'mlruns folder, sqlite:///…, postgresql://…, mysql://…'

/** `trackstore verify <a> <b>`: compare two stores run by run. */
export function registerVerifyCommands(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description(
      'compare two stores run by run (metadata, every metric row, datasets, logged models, ' +
        'the model registry, optionally artifacts); exit 1 on any difference beyond ' +
        "MLflow's documented file/SQL ones",
    )
    .argument('<a>', `first store: ${STORE_HELP}`)
    .argument('<b>', `second store: ${STORE_HELP}`)
    .option('--artifacts', 'also compare every artifact file by path, size and sha256')
    .option(
      '--ignore-locations',
      'do not compare artifact locations (a copy made with --artifacts-to or remap)',
    )
    .option('--id-map <file>', 'experiment ids of <a> → <b>, as written by --mapping-file')
    .option('--json', 'print the report as JSON')
    .option('-v, --verbose', 'log each step to stderr')
    .action((a: string, b: string, options: VerifyCommandOptions) =>
      verifyCommand(a, b, options, io),
    )
}

async function readIdMap(file: string): Promise<Record<string, string>> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw invalidParameter(`Cannot read the id map ${file}: ${(error as Error).message}`, error)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter(`The id map ${file} is not a JSON object of id → id`)
  }
  return parsed as Record<string, string>
}

export async function verifyCommand(
  a: string,
  b: string,
  options: VerifyCommandOptions,
  io: CliIo,
): Promise<void> {
  const logger = stderrLogger(io, options.verbose ?? false)
  const experimentIdMap = options.idMap ? await readIdMap(options.idMap) : undefined
  const opened: OpenedStore[] = []
  const registries: ModelRegistryStore[] = []
  try {
    opened.push(await openExistingStore(a, logger))
    opened.push(await openExistingStore(b, logger))
    registries.push(await openRegistry(a, logger))
    registries.push(await openRegistry(b, logger))
    const [left, right] = opened as [OpenedStore, OpenedStore]
    const side = (store: OpenedStore, registry: ModelRegistryStore) => ({
      label: store.label,
      capabilities: store.store.capabilities,
      transfer: store.store.transfer,
      registry: registry.transfer,
    })
    const report = await verifyStores(side(left, registries[0]!), side(right, registries[1]!), {
      artifacts: options.artifacts,
      compareLocations: !options.ignoreLocations && experimentIdMap === undefined,
      experimentIdMap,
      logger,
    })
    io.out(options.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report))
    if (!report.equal) {
      throw invalidState(`verify found ${report.differenceCount} difference(s)`)
    }
  } finally {
    for (const registry of registries) await registry.close()
    for (const store of opened) await store.store.close()
  }
}
