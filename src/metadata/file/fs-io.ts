/**
 * File operations with the guarantees the file store promises: rewrites are atomic (a temporary
 * file renamed into place, keeping the old file's mode), appends are one write of whole lines,
 * reads go through a bounded pool, and nothing is cached between calls.
 */
import { randomBytes } from 'node:crypto'
import { accessSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import path from 'node:path'

/** How many small reads run back to back before the reader yields to the event loop. */
export const READ_SLICE = 64

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/*
 * Reads are synchronous, file by file: a small file in the page cache takes a few microseconds
 * that way, against about 0.1 ms through `fs.promises` (open, stat, read and close each cross
 * libuv's four-thread pool), which made a search over 1,000 runs ten times slower. The reader
 * runs them in slices and yields to the event loop between slices (see `ReadScheduler`), so no
 * call blocks the loop for long; better-sqlite3 makes the same trade for the SQLite store.
 */

/** Reads a UTF-8 file; `null` when it does not exist. */
export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (isMissing(error)) return null
    throw error
  }
}

export function exists(file: string): boolean {
  try {
    accessSync(file)
    return true
  } catch {
    return false
  }
}

export function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory()
  } catch (error) {
    if (isMissing(error)) return false
    throw error
  }
}

function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    if (isMissing(error)) return []
    throw error
  }
}

/** Names of the sub-folders of `dir` (empty when it does not exist). */
export function listFolders(dir: string): string[] {
  return entriesOf(dir)
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
}

/**
 * Every file below `dir` as its relative POSIX path (`a/b` for `dir/a/b`), which is how keys
 * with `/` are stored. Hidden temporary files of an interrupted write are not keys.
 */
export function listKeyFiles(dir: string): string[] {
  const keys: string[] = []
  const walk = (folder: string, prefix: string): void => {
    for (const entry of entriesOf(folder)) {
      const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      if (entry.isDirectory()) walk(path.join(folder, entry.name), key)
      else if (!isTemporaryName(entry.name)) keys.push(key)
    }
  }
  walk(dir, '')
  return keys
}

/**
 * Runs the synchronous reads of a store in slices of `slice` calls, yielding to the event loop
 * between slices: the bound on how long reading can hold the loop.
 */
export class ReadScheduler {
  private sinceYield = 0

  constructor(private readonly slice: number = READ_SLICE) {}

  async run<T>(read: () => T): Promise<T> {
    this.sinceYield += 1
    if (this.sinceYield >= this.slice) {
      this.sinceYield = 0
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return read()
  }
}

const TEMPORARY_PREFIX = '.trackstore-'
const isTemporaryName = (name: string): boolean =>
  name.startsWith(TEMPORARY_PREFIX) && name.endsWith('.tmp')

/**
 * Replaces `file` with `content` atomically: the content goes to a temporary file in
 * `scratchDir` (a folder on the same file system that readers never list as keys: the run or
 * experiment folder), is flushed, takes the mode of the file it replaces, and is renamed over
 * it. A crash leaves either the old file or the new one, never a partial one.
 */
export async function writeFileAtomic(
  file: string,
  content: string,
  scratchDir: string = path.dirname(file),
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const temporary = path.join(
    scratchDir,
    `${TEMPORARY_PREFIX}${randomBytes(6).toString('hex')}.tmp`,
  )
  let mode: number | undefined
  try {
    mode = (await fs.stat(file)).mode & 0o7777
  } catch (error) {
    if (!isMissing(error)) throw error
  }
  const handle = await fs.open(temporary, 'wx', mode ?? 0o666)
  try {
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
      if (mode !== undefined) await handle.chmod(mode)
    } finally {
      await handle.close()
    }
    await fs.rename(temporary, file)
  } catch (error) {
    await fs.rm(temporary, { force: true })
    throw error
  }
}

/**
 * Writes `file` only when it does not exist yet (first writer wins). Returns false when it
 * already existed.
 */
export async function writeFileOnce(
  file: string,
  content: string,
  scratchDir: string,
): Promise<boolean> {
  if (exists(file)) return false
  await writeFileAtomic(file, content, scratchDir)
  return true
}

/** Appends whole lines in one write call, so concurrent appenders never interleave mid-line. */
export async function appendLines(file: string, lines: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const handle = await fs.open(file, 'a')
  try {
    const buffer = Buffer.from(lines, 'utf8')
    const { bytesWritten } = await handle.write(buffer, 0, buffer.length)
    if (bytesWritten !== buffer.length) {
      throw new Error(`short write to ${file}: ${bytesWritten} of ${buffer.length} bytes`)
    }
  } finally {
    await handle.close()
  }
}

/** `items.map(task)` with at most `limit` tasks running at once; results keep their order. */
export async function mapPool<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit = 32,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next
      next += 1
      results[index] = await task(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
