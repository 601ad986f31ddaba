import {
  copyFile,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  utimes,
} from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { basename, dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { invalidParameter, notFound } from '../../core/errors.js'
import type { Logger } from '../../core/logger.js'
import { silentLogger } from '../../core/logger.js'
import { byPath, checkArtifactPath, checkReadPath, joinPath } from '../artifact-path.js'
import type {
  ArtifactBody,
  ArtifactStore,
  FileInfo,
  WriteArtifactOptions,
} from '../artifact-store.js'
import { existingDir } from '../download.js'
import {
  checkLocalDir,
  fsError,
  localFileSize,
  localSubdirectories,
  temporarySibling,
  toReadable,
  walkLocalFiles,
  writeFileAtomic,
} from '../local-files.js'

export interface LocalArtifactStoreOptions {
  readonly logger?: Logger
}

/**
 * Artifacts in a directory on local disk, as MLflow's `LocalArtifactRepository`. The root need not
 * exist until something is written. Files are written to a temporary sibling and renamed into
 * place, so a reader never sees half a file. A symlink below the root is followed only if it
 * resolves inside the root; otherwise the operation fails with INVALID_PARAMETER_VALUE.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly uri: string
  /** The absolute path of the root directory. */
  readonly root: string
  readonly #logger: Logger

  constructor(root: string, options: LocalArtifactStoreOptions = {}) {
    this.root = resolve(root)
    this.uri = pathToFileURL(this.root).href
    this.#logger = options.logger ?? silentLogger
  }

  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const dir = checkArtifactPath(artifactPath)
    await localFileSize(localFile)
    const target = await this.#resolve(joinPath(dir, basename(localFile)))
    await copyAtomic(localFile, target)
  }

  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const dir = checkArtifactPath(artifactPath)
    await checkLocalDir(localDir)
    const base = await this.#resolve(dir)
    try {
      await mkdir(base, { recursive: true })
      for (const sub of await localSubdirectories(localDir)) {
        await mkdir(await this.#resolve(joinPath(dir, sub)), { recursive: true })
      }
    } catch (error) {
      throw fsError(error, 'create directories in', base)
    }
    for await (const file of walkLocalFiles(localDir)) {
      await copyAtomic(file.absolutePath, await this.#resolve(joinPath(dir, file.relativePath)))
    }
    this.#logger.debug('logged artifacts', { localDir, uri: this.uri, artifactPath: dir })
  }

  async listArtifacts(artifactPath?: string): Promise<FileInfo[]> {
    const dir = checkReadPath(artifactPath)
    const full = await this.#resolve(dir)
    const info = await statIfExists(full)
    if (info === undefined || !info.isDirectory()) return []
    const listing: FileInfo[] = []
    try {
      for (const entry of await readdir(full, { withFileTypes: true })) {
        const childPath = joinPath(dir, entry.name)
        const child = entry.isSymbolicLink()
          ? await statIfExists(await this.#resolve(childPath))
          : await stat(join(full, entry.name))
        if (child === undefined) continue
        if (child.isDirectory()) listing.push({ path: childPath, isDir: true })
        else if (child.isFile())
          listing.push({ path: childPath, isDir: false, fileSize: child.size })
      }
    } catch (error) {
      throw fsError(error, 'list artifacts in', full)
    }
    return listing.sort(byPath)
  }

  async *walkFiles(artifactPath?: string): AsyncIterable<FileInfo> {
    const dir = checkReadPath(artifactPath)
    const full = await this.#resolve(dir)
    const info = await statIfExists(full)
    if (info === undefined || !info.isDirectory()) return
    const checkLink = async (link: string): Promise<void> => {
      await this.#checkInside(
        link,
        link
          .slice(this.root.length + 1)
          .split(sep)
          .join('/'),
      )
    }
    for await (const file of walkLocalFiles(full, checkLink)) {
      yield { path: joinPath(dir, file.relativePath), isDir: false, fileSize: file.size }
    }
  }

  async downloadArtifacts(artifactPath: string, dstPath?: string): Promise<string> {
    const path = checkReadPath(artifactPath)
    const full = await this.#resolve(path)
    const info = await statIfExists(full)
    if (info === undefined) throw notFound(`No such artifact: '${path}' in ${this.uri}`)
    if (dstPath === undefined) return full
    const dst = await existingDir(dstPath)
    const target = path === '' ? dst : join(dst, ...path.split('/'))
    if (info.isFile()) {
      await copyAtomic(full, target)
      return target
    }
    try {
      await mkdir(target, { recursive: true })
      for (const sub of await localSubdirectories(full)) {
        await mkdir(join(target, ...sub.split('/')), { recursive: true })
      }
    } catch (error) {
      throw fsError(error, 'create directories in', target)
    }
    for await (const file of this.walkFiles(path)) {
      const relative = path === '' ? file.path : file.path.slice(path.length + 1)
      await copyAtomic(await this.#resolve(file.path), join(target, ...relative.split('/')))
    }
    return target
  }

  async openReadStream(artifactPath: string): Promise<Readable> {
    const path = checkReadPath(artifactPath)
    const full = await this.#resolve(path)
    let handle
    try {
      handle = await open(full, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw notFound(`No such artifact: '${path}' in ${this.uri}`, error)
      }
      throw fsError(error, 'read artifact', full)
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close()
      throw notFound(`No such artifact: '${path}' in ${this.uri} is not a file`)
    }
    return handle.createReadStream()
  }

  async writeArtifact(
    artifactPath: string,
    body: ArtifactBody,
    _options?: WriteArtifactOptions,
  ): Promise<void> {
    const path = checkArtifactPath(artifactPath)
    if (path === '') throw invalidParameter('writeArtifact needs a file path, got the root')
    await writeFileAtomic(await this.#resolve(path), toReadable(body))
  }

  async deleteArtifacts(artifactPath?: string): Promise<void> {
    const path = checkReadPath(artifactPath)
    // Only the parent must resolve inside the root: removing a symlink never touches its target.
    if (path !== '') await this.#resolve(dirname(path) === '.' ? '' : dirname(path))
    const full = path === '' ? this.root : join(this.root, ...path.split('/'))
    try {
      await rm(full, { recursive: true, force: true })
    } catch (error) {
      throw fsError(error, 'delete artifacts at', full)
    }
  }

  async close(): Promise<void> {}

  /** The absolute path of an artifact path, refused if it resolves outside the root. */
  async #resolve(path: string): Promise<string> {
    const full = path === '' ? this.root : join(this.root, ...path.split('/'))
    await this.#checkInside(full, path)
    return full
  }

  /**
   * Resolves symlinks in `full` (or in its nearest existing ancestor) and refuses the path if the
   * result leaves the root. Nothing to check while the root itself does not exist.
   */
  async #checkInside(full: string, path: string): Promise<void> {
    let rootReal: string
    try {
      rootReal = await realpath(this.root)
    } catch {
      return
    }
    let probe = full
    let real: string | undefined
    while (real === undefined) {
      try {
        real = await realpath(probe)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsError(error, 'resolve', probe)
        if (probe.length <= this.root.length) return
        probe = dirname(probe)
      }
    }
    if (real !== rootReal && !real.startsWith(rootReal + sep)) {
      throw invalidParameter(
        `Invalid artifact path '${path}': the resolved path is outside the artifact ` +
          `directory ${this.root}`,
      )
    }
  }
}
async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw fsError(error, 'read', path)
  }
}

/** Copies a file through a temporary sibling, keeping its modification time, as `copy2` does. */
async function copyAtomic(source: string, target: string): Promise<void> {
  const temporary = temporarySibling(target)
  try {
    await mkdir(dirname(target), { recursive: true })
    const info = await stat(source)
    await copyFile(source, temporary)
    await utimes(temporary, info.atime, info.mtime)
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true })
    throw fsError(error, 'copy to', target)
  }
}
