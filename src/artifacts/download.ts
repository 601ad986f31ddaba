import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { invalidParameter, isTrackstoreError, notFound } from '../core/errors.js'
import { checkReadPath } from './artifact-path.js'
import type { ArtifactStore } from './artifact-store.js'
import { checkLocalDir, forEachConcurrent, writeFileAtomic } from './local-files.js'

/**
 * `downloadArtifacts` for stores whose objects are not local files: walks the files below the path
 * and streams each into place under the destination, `concurrency` at a time. A path with no files
 * below it is read as one file. Each file is written atomically.
 */
export async function downloadFromStore(
  store: ArtifactStore,
  artifactPath: string,
  dstPath: string | undefined,
  concurrency: number,
): Promise<string> {
  const path = checkReadPath(artifactPath)
  const dst = dstPath === undefined ? await newDownloadDir() : await existingDir(dstPath)
  const target = path === '' ? dst : join(dst, ...path.split('/'))
  let found = false
  await forEachConcurrent(store.walkFiles(path), concurrency, async (file) => {
    found = true
    const relative = path === '' ? file.path : file.path.slice(path.length + 1)
    await writeFileAtomic(
      join(target, ...relative.split('/')),
      await store.openReadStream(file.path),
    )
  })
  if (found) return target
  if (path === '') {
    await mkdir(target, { recursive: true })
    return target
  }
  let stream
  try {
    stream = await store.openReadStream(path)
  } catch (error) {
    if (isTrackstoreError(error, 'RESOURCE_DOES_NOT_EXIST')) {
      throw notFound(`No such artifact: '${path}' in ${store.uri}`, error)
    }
    throw error
  }
  await writeFileAtomic(target, stream)
  return target
}

/** A fresh temporary directory that the caller of `downloadArtifacts` then owns. */
export function newDownloadDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'trackstore-artifacts-'))
}

/** The absolute form of a caller's destination, which must be an existing directory. */
export async function existingDir(dstPath: string): Promise<string> {
  const absolute = resolve(dstPath)
  try {
    await checkLocalDir(absolute)
  } catch (error) {
    throw invalidParameter(
      `The download destination '${dstPath}' must be an existing directory`,
      error,
    )
  }
  return absolute
}
