import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { TrackstoreError, invalidParameter, notFound } from '../core/errors.js'
import type { ArtifactBody } from './artifact-store.js'

/**
 * The local side of every transfer: reading the files a caller logs, writing the files a caller
 * downloads. Shared by all backends; nothing here knows about a particular store.
 */

/** A file found under a local directory: its path relative to that directory and its size. */
export interface LocalFile {
  readonly relativePath: string
  readonly absolutePath: string
  readonly size: number
}

/** Turns a Node file-system error into a TrackstoreError naming the operation and the path. */
export function fsError(error: unknown, action: string, path: string): TrackstoreError {
  if (error instanceof TrackstoreError) return error
  const code = (error as NodeJS.ErrnoException | null)?.code
  const reason = error instanceof Error ? error.message : String(error)
  const message = `Failed to ${action} '${path}': ${reason}`
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new TrackstoreError('RESOURCE_DOES_NOT_EXIST', message, { cause: error })
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new TrackstoreError('PERMISSION_DENIED', message, { cause: error })
  }
  return new TrackstoreError('INTERNAL_ERROR', message, { cause: error })
}

async function statOrThrow(path: string, what: string): Promise<Stats> {
  try {
    return await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw notFound(`No such ${what}: '${path}'`, error)
    }
    throw fsError(error, `read ${what}`, path)
  }
}

/** Checks that `path` is an existing regular file (symlinks followed) and returns its size. */
export async function localFileSize(path: string): Promise<number> {
  const info = await statOrThrow(path, 'file')
  if (!info.isFile()) throw invalidParameter(`Not a file: '${path}'`)
  return info.size
}

/** Checks that `path` is an existing directory (symlinks followed). */
export async function checkLocalDir(path: string): Promise<void> {
  const info = await statOrThrow(path, 'directory')
  if (!info.isDirectory()) throw invalidParameter(`Not a directory: '${path}'`)
}

/**
 * Yields every file below `dir`, hidden ones included, following symlinks to files and to
 * directories (each real directory is visited once, so a symlink loop ends). `checkLink`, when
 * given, is awaited with the absolute path of every symlink before it is followed and may throw.
 */
export async function* walkLocalFiles(
  dir: string,
  checkLink?: (absolutePath: string) => Promise<void>,
): AsyncGenerator<LocalFile> {
  const seen = new Set<string>()
  async function* visit(absolute: string, relative: string): AsyncGenerator<LocalFile> {
    const real = await realpath(absolute)
    if (seen.has(real)) return
    seen.add(real)
    const entries = await readdir(absolute, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const childAbsolute = join(absolute, entry.name)
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isSymbolicLink() && checkLink !== undefined) await checkLink(childAbsolute)
      const info = entry.isSymbolicLink() ? await statOrUndefined(childAbsolute) : entry
      if (info === undefined) continue
      if (info.isDirectory()) {
        yield* visit(childAbsolute, childRelative)
      } else if (info.isFile()) {
        const size = entry.isSymbolicLink()
          ? (info as Stats).size
          : (await stat(childAbsolute)).size
        yield { relativePath: childRelative, absolutePath: childAbsolute, size }
      }
    }
  }
  yield* visit(dir, '')
}

/** Every directory below `dir` (relative paths), including empty ones, parents first. */
export async function localSubdirectories(dir: string): Promise<string[]> {
  const found: string[] = []
  const seen = new Set<string>()
  async function visit(absolute: string, relative: string): Promise<void> {
    const real = await realpath(absolute)
    if (seen.has(real)) return
    seen.add(real)
    for (const entry of await readdir(absolute, { withFileTypes: true })) {
      const childAbsolute = join(absolute, entry.name)
      const isDir =
        entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(childAbsolute)))
      if (!isDir) continue
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`
      found.push(childRelative)
      await visit(childAbsolute, childRelative)
    }
  }
  await visit(dir, '')
  return found
}

/** `stat`, or undefined for a dangling symlink or a path that vanished meanwhile. */
async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

/** Any body a caller may pass, as a Node readable stream. */
export function toReadable(body: ArtifactBody): Readable {
  if (body instanceof Readable) return body
  if (typeof body === 'string') return Readable.from([Buffer.from(body)])
  if (body instanceof Uint8Array) return Readable.from([body])
  return Readable.from(body)
}

/** A temporary sibling name for `target`, in the same directory so that rename is atomic. */
export function temporarySibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
}

/**
 * Streams `source` into `target` atomically: the bytes go to a temporary sibling that is renamed
 * over `target` once complete, and removed if anything fails. Parent directories are created.
 */
export async function writeFileAtomic(target: string, source: Readable): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  const temporary = temporarySibling(target)
  try {
    await pipeline(source, createWriteStream(temporary, { flags: 'wx' }))
    await rename(temporary, target)
  } catch (error) {
    source.destroy()
    await rm(temporary, { force: true })
    throw error instanceof TrackstoreError ? error : fsError(error, 'write', target)
  }
}

/**
 * Runs `worker` on every item of `items` with at most `concurrency` calls in flight, reading the
 * iterable lazily so that a long walk is never held in memory. Stops at the first failure.
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  const iterator =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]()
  let failed = false
  let firstError: unknown
  const next = async (): Promise<IteratorResult<T>> => iterator.next()
  // Pulling from a shared iterator is serialised so that no two lanes await the same next().
  let pulling: Promise<unknown> = Promise.resolve()
  const pull = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(next)
    pulling = result.catch(() => undefined)
    return result
  }
  const fail = (error: unknown): void => {
    if (!failed) firstError = error
    failed = true
  }
  const lane = async (): Promise<void> => {
    while (!failed) {
      let item: IteratorResult<T>
      try {
        item = await pull()
      } catch (error) {
        fail(error)
        return
      }
      if (item.done === true) return
      try {
        await worker(item.value)
      } catch (error) {
        fail(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane))
  if (failed) {
    await iterator.return?.()
    throw firstError
  }
}
