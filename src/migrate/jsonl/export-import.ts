/**
 * Export and import: the copy machinery with an export file as the destination or the source.
 */
import { copyStore } from '../copy/copy-store.js'
import type {
  CopyOptions,
  CopySummary,
  TransferDestination,
  TransferSource,
} from '../copy/types.js'
import { JsonlReader } from './jsonl-reader.js'
import { JsonlWriter } from './jsonl-writer.js'

export type ExportOptions = Pick<CopyOptions, 'sourceLabel' | 'onError' | 'onProgress' | 'logger'>

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
    const summary = await copyStore(source, writer, { ...options, idStrategy: 'preserve' })
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
  options: Omit<CopyOptions, 'sourceLabel'> & { sourceLabel?: string },
): Promise<CopySummary> {
  const reader = await JsonlReader.open(file)
  try {
    return await copyStore(reader, destination, {
      ...options,
      sourceLabel: options.sourceLabel ?? file,
    })
  } finally {
    await reader.close()
  }
}
