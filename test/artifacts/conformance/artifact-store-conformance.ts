import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isTrackstoreError } from '../../../src/core/errors.js'
import { copyTree } from '../../../src/artifacts/index.js'
import type { ArtifactStore, FileInfo } from '../../../src/artifacts/index.js'

/**
 * The contract every artifact store keeps, run once per backend. `createStore` must return a
 * fresh, empty store (its own directory, bucket or prefix) each time it is called.
 */
export function describeArtifactStoreConformance(
  backend: string,
  createStore: () => Promise<ArtifactStore>,
): void {
  describe(`ArtifactStore conformance: ${backend}`, () => {
    const opened: ArtifactStore[] = []
    let scratch: string

    const fresh = async (): Promise<ArtifactStore> => {
      const store = await createStore()
      opened.push(store)
      return store
    }

    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'trackstore-conformance-'))
    })
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()))
    })
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true })
    })

    /** A local directory of its own for one test. */
    const localDir = async (name: string): Promise<string> => {
      const dir = join(scratch, `${name}-${Math.random().toString(36).slice(2)}`)
      await mkdir(dir, { recursive: true })
      return dir
    }

    /** A local tree: a.txt, .hidden, nested/c.txt, nested/deeper/d.bin. */
    const localTree = async (): Promise<string> => {
      const dir = await localDir('tree')
      await mkdir(join(dir, 'nested', 'deeper'), { recursive: true })
      await writeFile(join(dir, 'a.txt'), 'A')
      await writeFile(join(dir, '.hidden'), 'secret')
      await writeFile(join(dir, 'nested', 'c.txt'), 'CCC')
      await writeFile(join(dir, 'nested', 'deeper', 'd.bin'), ALL_BYTES)
      return dir
    }

    it('lists an empty root as []', async () => {
      const store = await fresh()
      expect(await store.listArtifacts()).toEqual([])
      expect(await store.listArtifacts('')).toEqual([])
      expect(await store.listArtifacts('missing/dir')).toEqual([])
    })

    it('logs a file into the root and under an artifact path, content intact', async () => {
      const store = await fresh()
      const dir = await localDir('log')
      const file = join(dir, 'model.bin')
      await writeFile(file, ALL_BYTES)
      await store.logArtifact(file)
      await store.logArtifact(file, 'sub/dir')
      expect(await store.listArtifacts()).toEqual([
        { path: 'model.bin', isDir: false, fileSize: ALL_BYTES.length },
        { path: 'sub', isDir: true },
      ])
      expect(await store.listArtifacts('sub/dir')).toEqual([
        { path: 'sub/dir/model.bin', isDir: false, fileSize: ALL_BYTES.length },
      ])
      expect(await readAll(await store.openReadStream('model.bin'))).toEqual(ALL_BYTES)
      expect(await readAll(await store.openReadStream('sub/dir/model.bin'))).toEqual(ALL_BYTES)
    })

    it('logs a directory tree, hidden files included', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree(), 'run')
      expect(await store.listArtifacts('run')).toEqual([
        { path: 'run/.hidden', isDir: false, fileSize: 6 },
        { path: 'run/a.txt', isDir: false, fileSize: 1 },
        { path: 'run/nested', isDir: true },
      ])
      expect(await readText(store, 'run/nested/c.txt')).toBe('CCC')
      expect(await readAll(await store.openReadStream('run/nested/deeper/d.bin'))).toEqual(
        ALL_BYTES,
      )
    })

    it('logs a directory tree into the root', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree())
      const paths = (await store.listArtifacts()).map((info) => info.path)
      expect(paths).toEqual(['.hidden', 'a.txt', 'nested'])
    })

    it('answers the same listing with or without a trailing slash', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree(), 'run')
      const plain = await store.listArtifacts('run/nested')
      expect(plain).toEqual([
        { path: 'run/nested/c.txt', isDir: false, fileSize: 3 },
        { path: 'run/nested/deeper', isDir: true },
      ])
      expect(await store.listArtifacts('run/nested/')).toEqual(plain)
    })

    it('lists a file path as []', async () => {
      const store = await fresh()
      await store.writeArtifact('dir/file.txt', 'x')
      expect(await store.listArtifacts('dir/file.txt')).toEqual([])
    })

    it('sorts listings by path', async () => {
      const store = await fresh()
      for (const name of ['b', 'a', 'C', 'a0', '_']) await store.writeArtifact(`s/${name}`, name)
      await store.writeArtifact('s/ab/x', 'x')
      const paths = (await store.listArtifacts('s')).map((info) => info.path)
      expect(paths).toEqual(['s/C', 's/_', 's/a', 's/a0', 's/ab', 's/b'])
    })

    it('keeps names with spaces and non-ASCII characters', async () => {
      const store = await fresh()
      await store.writeArtifact('plots/loss curve ü 📈.txt', 'ok')
      expect(await store.listArtifacts('plots')).toEqual([
        { path: 'plots/loss curve ü 📈.txt', isDir: false, fileSize: 2 },
      ])
      expect(await readText(store, 'plots/loss curve ü 📈.txt')).toBe('ok')
    })

    it.each(['/', '//', '/tmp', '/bad_path', '.', '../terrible_path', 'a/../b', 'a//b', './a'])(
      'refuses the artifact path %j',
      async (bad) => {
        const store = await fresh()
        const file = join(await localDir('bad'), 'f.txt')
        await writeFile(file, 'f')
        const attempts: Promise<unknown>[] = [
          store.logArtifact(file, bad),
          store.logArtifacts(join(file, '..'), bad),
          store.writeArtifact(bad, 'x'),
          store.listArtifacts(bad),
          store.deleteArtifacts(bad),
          store.downloadArtifacts(bad, scratch),
          store.openReadStream(bad),
          collect(store.walkFiles(bad)),
        ]
        for (const attempt of attempts) {
          await expect(attempt).rejects.toMatchObject({
            code: 'INVALID_PARAMETER_VALUE',
            message: expect.stringContaining('Invalid artifact path'),
          })
        }
      },
    )

    it('writes streams, buffers and strings, replacing what was there', async () => {
      const store = await fresh()
      async function* generate(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('one ')
        yield Buffer.from('two')
      }
      await store.writeArtifact('w/generated.txt', generate())
      await store.writeArtifact('w/readable.txt', Readable.from([Buffer.from('stream')]))
      await store.writeArtifact('w/buffer.bin', ALL_BYTES)
      await store.writeArtifact('w/text.txt', 'first')
      await store.writeArtifact('w/text.txt', 'second, longer')
      expect(await readText(store, 'w/generated.txt')).toBe('one two')
      expect(await readText(store, 'w/readable.txt')).toBe('stream')
      expect(await readAll(await store.openReadStream('w/buffer.bin'))).toEqual(ALL_BYTES)
      expect(await readText(store, 'w/text.txt')).toBe('second, longer')
      await expect(store.writeArtifact('', 'x')).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      })
    })

    it('fails to open a missing file or a directory with RESOURCE_DOES_NOT_EXIST', async () => {
      const store = await fresh()
      await store.writeArtifact('d/f.txt', 'f')
      for (const path of ['missing.txt', 'd/missing', 'd']) {
        await expect(store.openReadStream(path)).rejects.toMatchObject({
          code: 'RESOURCE_DOES_NOT_EXIST',
        })
      }
    })

    it('downloads a file, a directory and the root to a destination', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree(), 'run')
      const dst = await localDir('dst')
      const file = await store.downloadArtifacts('run/nested/c.txt', dst)
      expect(file).toBe(join(dst, 'run', 'nested', 'c.txt'))
      expect(await readFile(file, 'utf8')).toBe('CCC')

      const dst2 = await localDir('dst2')
      const dir = await store.downloadArtifacts('run/nested/', dst2)
      expect(dir).toBe(join(dst2, 'run', 'nested'))
      expect(await readFile(join(dir, 'deeper', 'd.bin'))).toEqual(ALL_BYTES)

      const dst3 = await localDir('dst3')
      expect(await store.downloadArtifacts('', dst3)).toBe(dst3)
      expect(await readFile(join(dst3, 'run', '.hidden'), 'utf8')).toBe('secret')
    })

    it('downloads without a destination to a local path holding the content', async () => {
      const store = await fresh()
      await store.writeArtifact('one/two.txt', 'content')
      const path = await store.downloadArtifacts('one/two.txt')
      expect(await readFile(path, 'utf8')).toBe('content')
      const dir = await store.downloadArtifacts('one')
      expect(await readFile(join(dir, 'two.txt'), 'utf8')).toBe('content')
    })

    it('refuses a missing artifact and a destination that is not a directory', async () => {
      const store = await fresh()
      await store.writeArtifact('f.txt', 'f')
      await expect(store.downloadArtifacts('nothing/here', scratch)).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
        message: expect.stringContaining('No such artifact'),
      })
      const notDir = join(await localDir('nd'), 'file')
      await writeFile(notDir, '')
      for (const dst of [notDir, join(scratch, 'does-not-exist')]) {
        await expect(store.downloadArtifacts('f.txt', dst)).rejects.toMatchObject({
          code: 'INVALID_PARAMETER_VALUE',
        })
      }
    })

    it('walks every file below a path, recursively, with root-relative paths', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree(), 'run')
      const all = (await collect(store.walkFiles())).sort(byPath)
      expect(all).toEqual([
        { path: 'run/.hidden', isDir: false, fileSize: 6 },
        { path: 'run/a.txt', isDir: false, fileSize: 1 },
        { path: 'run/nested/c.txt', isDir: false, fileSize: 3 },
        { path: 'run/nested/deeper/d.bin', isDir: false, fileSize: 256 },
      ])
      expect((await collect(store.walkFiles('run/nested'))).map((f) => f.path).sort()).toEqual([
        'run/nested/c.txt',
        'run/nested/deeper/d.bin',
      ])
      expect(await collect(store.walkFiles('run/a.txt'))).toEqual([])
      expect(await collect(store.walkFiles('missing'))).toEqual([])
    })

    it('deletes a file, a nested file and a missing path', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree())
      await store.deleteArtifacts('a.txt')
      await store.deleteArtifacts('nested/deeper/d.bin')
      await store.deleteArtifacts('not/there')
      const left = (await collect(store.walkFiles())).map((f) => f.path).sort()
      expect(left).toEqual(['.hidden', 'nested/c.txt'])
    })

    it('deletes exactly a subtree, never a sibling sharing its name as prefix', async () => {
      const store = await fresh()
      await store.writeArtifact('subdir/a.txt', 'a')
      await store.writeArtifact('subdir/deep/b.txt', 'b')
      await store.writeArtifact('subdir2/keep.txt', 'keep')
      await store.writeArtifact('subdir.txt', 'keep too')
      await store.deleteArtifacts('subdir')
      expect(await store.listArtifacts()).toEqual([
        { path: 'subdir.txt', isDir: false, fileSize: 8 },
        { path: 'subdir2', isDir: true },
      ])
      await store.deleteArtifacts('subdir2/')
      expect((await store.listArtifacts()).map((f) => f.path)).toEqual(['subdir.txt'])
    })

    it('deletes everything under the root', async () => {
      const store = await fresh()
      await store.logArtifacts(await localTree(), 'x')
      await store.deleteArtifacts()
      expect(await store.listArtifacts()).toEqual([])
      expect(await collect(store.walkFiles())).toEqual([])
    })

    it('lists and deletes through more than 1,000 objects', async () => {
      const store = await fresh()
      const names = Array.from({ length: 1003 }, (_, i) => `many/f${String(i).padStart(4, '0')}`)
      await runConcurrently(names, 32, (name) => store.writeArtifact(name, 'x'))
      await store.writeArtifact('many2/keep.txt', 'keep')
      const listing = await store.listArtifacts('many')
      expect(listing).toHaveLength(1003)
      expect(listing.map((info) => info.path)).toEqual(names)
      expect(await collect(store.walkFiles('many'))).toHaveLength(1003)
      await store.deleteArtifacts('many')
      expect(await store.listArtifacts('many')).toEqual([])
      expect((await store.listArtifacts()).map((info) => info.path)).toEqual(['many2'])
    })

    it('copies a tree to another store of the same kind, object by object', async () => {
      const source = await fresh()
      const target = await fresh()
      await source.logArtifacts(await localTree(), 'run')
      const result = await copyTree(source, target, { sourcePath: 'run', destinationPath: 'copy' })
      expect(result).toEqual({ files: 4, bytes: 1 + 6 + 3 + 256 })
      expect((await collect(target.walkFiles())).map((f) => f.path).sort()).toEqual([
        'copy/.hidden',
        'copy/a.txt',
        'copy/nested/c.txt',
        'copy/nested/deeper/d.bin',
      ])
      expect(await readAll(await target.openReadStream('copy/nested/deeper/d.bin'))).toEqual(
        ALL_BYTES,
      )
    })

    it('names its root as a URI', async () => {
      const store = await fresh()
      expect(store.uri).toMatch(/^(file|s3|gs):\/\//)
    })

    it('reports failures as TrackstoreErrors naming the store', async () => {
      const store = await fresh()
      const error = await store.openReadStream('nope.txt').catch((e: unknown) => e)
      expect(isTrackstoreError(error, 'RESOURCE_DOES_NOT_EXIST')).toBe(true)
      expect((error as Error).message).toContain('nope.txt')
    })

    it('keeps file sizes in listings after a stat of the downloaded copy', async () => {
      const store = await fresh()
      await store.writeArtifact('sized.bin', Buffer.alloc(4097, 1))
      const [info] = await store.listArtifacts()
      const local = await store.downloadArtifacts('sized.bin', await localDir('sized'))
      expect(info?.fileSize).toBe((await stat(local)).size)
    })
  })
}

/** Every byte value once: catches any text decoding on the way. */
export const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

async function readText(store: ArtifactStore, path: string): Promise<string> {
  return (await readAll(await store.openReadStream(path))).toString('utf8')
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = []
  for await (const item of items) found.push(item)
  return found
}

function byPath(a: FileInfo, b: FileInfo): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0
}

async function runConcurrently<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
}
