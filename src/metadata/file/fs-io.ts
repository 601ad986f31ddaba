/**
 * File operations with the guarantees the file store promises: rewrites are atomic (a temporary
 * file renamed into place, keeping the old file's mode), appends are one write of whole lines,
 * reads go through a bounded pool, and nothing is cached between calls.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import type { Dirent } from 'node:fs'
import path from 'node:path'

/** How many files one operation reads at once. */
export const READ_CONCURRENCY = 32

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Reads a UTF-8 file; `null` when it does not exist. */
export async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    if (isMissing(error)) return null
    throw error
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file)
    return true
  } catch {
    return false
  }
}

/** Names of the sub-folders of `dir` (empty when it does not exist). */
export async function listFolders(dir: string): Promise<string[]> {
  let entries: Dirent[]
  try {
    entries = await fs.readdir(dir, { withFileTypes: true })
  } catch (error) {
    if (isMissing(error)) return []
    throw error
  }
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
}

/**
 * Every file below `dir` as its relative POSIX path (`a/b` for `dir/a/b`), which is how keys
 * with `/` are stored. Hidden temporary files of an interrupted write are not keys.
 */
export async function listKeyFiles(dir: string): Promise<string[]> {
  const keys: string[] = []
  const walk = async (folder: string, prefix: string): Promise<void> => {
    let entries: Dirent[]
    try {
      entries = await fs.readdir(folder, { withFileTypes: true })
    } catch (error) {
      if (isMissing(error)) return
      throw error
    }
    await Promise.all(
      entries.map(async (entry) => {
        const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`
        if (entry.isDirectory()) await walk(path.join(folder, entry.name), key)
        else if (!isTemporaryName(entry.name)) keys.push(key)
      }),
    )
  }
  await walk(dir, '')
  return keys
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
  if (await exists(file)) return false
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
  limit: number = READ_CONCURRENCY,
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
