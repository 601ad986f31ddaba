import { notFound } from '../core/errors.js'
import { baseName, checkArtifactPath, checkReadPath, joinPath } from './artifact-path.js'
import type { ArtifactStore, FileInfo } from './artifact-store.js'
import { forEachConcurrent } from './local-files.js'

export interface CopyTreeOptions {
  /** The file or directory to copy from the source; default: its whole root. */
  readonly sourcePath?: string
  /** Where the copy lands in the destination; default: its root (for a file: its base name). */
  readonly destinationPath?: string
  /** Objects in flight at once, each streamed in constant memory. Default 4. */
  readonly concurrency?: number
  /** Called after each file is written. */
  readonly onFile?: (file: FileInfo, destinationPath: string) => void
}

export interface CopyTreeResult {
  readonly files: number
  readonly bytes: number
}

/**
 * Copies a tree of artifacts from any store to any other, object by object: each file is read as
 * a stream from the source and written as a stream to the destination, so no file is ever held
 * in memory or staged on disk. Files that exist in the destination are replaced; nothing is
 * deleted there. Empty directories are not copied (object stores cannot hold them). If
 * `sourcePath` names a file, that one file is copied. Throws RESOURCE_DOES_NOT_EXIST if nothing
 * exists at `sourcePath`, and any error of either store.
 */
export async function copyTree(
  source: ArtifactStore,
  destination: ArtifactStore,
  options: CopyTreeOptions = {},
): Promise<CopyTreeResult> {
  const from = checkReadPath(options.sourcePath)
  const to = checkArtifactPath(options.destinationPath)
  let files = 0
  let bytes = 0
  const copyOne = async (file: FileInfo, target: string): Promise<void> => {
    const stream = await source.openReadStream(file.path)
    await destination.writeArtifact(target, stream, { size: file.fileSize })
    files += 1
    bytes += file.fileSize ?? 0
    options.onFile?.(file, target)
  }
  await forEachConcurrent(source.walkFiles(from), options.concurrency ?? 4, (file) =>
    copyOne(file, joinPath(to, from === '' ? file.path : file.path.slice(from.length + 1))),
  )
  if (files > 0 || from === '') return { files, bytes }
  // Nothing below `from`: it is a single file, or nothing at all.
  const parent = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : ''
  const entry = (await source.listArtifacts(parent)).find((info) => info.path === from)
  if (entry === undefined) throw notFound(`No such artifact: '${from}' in ${source.uri}`)
  // An empty directory (local disk only) copies as nothing.
  if (!entry.isDir) await copyOne(entry, to === '' ? baseName(from) : to)
  return { files, bytes }
}
