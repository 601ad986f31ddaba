/**
 * Export and import: the copy machinery with an export file as the destination or the source.
 */
import { copyStore } from '../copy/copy-store.js'
import type {
  CopyOptions,
  CopySummary,
  RegistryDestination,
  RegistrySource,
  TransferDestination,
  TransferSource,
} from '../copy/types.js'
import { JsonlReader } from './jsonl-reader.js'
import { JsonlWriter } from './jsonl-writer.js'

export type ExportOptions = Pick<
  CopyOptions,
  'sourceLabel' | 'onError' | 'onProgress' | 'logger'
> & {
  /** The source's model registry, written after the logged models. */
  registry?: RegistrySource
}

/**
 * Streams everything `source` holds that the format carries into `file` (gzip when it ends in
 * `.gz`). The file appears only once complete.
 */
export async function exportStore(
  source: TransferSource,
  file: string,
  options: ExportOptions,
): Promise<CopySummary> {
  const writer = await JsonlWriter.create(file, {
    source: options.sourceLabel,
    unsupported: await source.unsupportedContent(),
  })
  try {
    const { registry, ...rest } = options
    const summary = await copyStore(source, writer, {
      ...rest,
      idStrategy: 'preserve',
      // The header lists what the source held that the format does not carry.
      skipUnsupported: true,
      registry: registry === undefined ? undefined : { source: registry, destination: writer },
    })
    await writer.close()
    return summary
  } catch (error) {
    await writer.abort()
    throw error
  }
}

/**
 * Copies an export file into a store, with every option of `copyStore` (merge, onError, id
 * strategy, artifacts …). `sourceLabel` defaults to the file path, so a rerun resumes.
 */
export async function importFile(
  file: string,
  destination: TransferDestination,
  options: Omit<CopyOptions, 'sourceLabel' | 'registry'> & {
    sourceLabel?: string
    /** The destination's model registry; without it the file's registry is not copied. */
    registry?: RegistryDestination
  },
): Promise<CopySummary> {
  const reader = await JsonlReader.open(file)
  try {
    const { registry, ...rest } = options
    return await copyStore(reader, destination, {
      ...rest,
      sourceLabel: options.sourceLabel ?? file,
      registry: registry === undefined ? undefined : { source: reader, destination: registry },
    })
  } finally {
    await reader.close()
  }
}
