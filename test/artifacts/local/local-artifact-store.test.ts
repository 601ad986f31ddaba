import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalArtifactStore, openArtifactStore } from '../../../src/artifacts/index.js'
import {
  collect,
  describeArtifactStoreConformance,
} from '../conformance/artifact-store-conformance.js'

let base: string
let counter = 0

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'trackstore-local-'))
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

const newRoot = (): string => join(base, `root-${counter++}`)

describeArtifactStoreConformance('local', async () => new LocalArtifactStore(newRoot()))

describe('LocalArtifactStore', () => {
  it('opens plain paths and file: URIs', () => {
    const root = newRoot()
    const fromPath = openArtifactStore(root)
    const fromUri = openArtifactStore(pathToFileURL(root).href)
    expect(fromPath).toBeInstanceOf(LocalArtifactStore)
    expect((fromUri as LocalArtifactStore).root).toBe(root)
    expect(fromPath.uri).toBe(pathToFileURL(root).href)
  })

  it('does not create the root until something is written', async () => {
    const root = newRoot()
    const store = new LocalArtifactStore(root)
    expect(await store.listArtifacts()).toEqual([])
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' })
    await store.writeArtifact('a.txt', 'a')
    expect((await stat(root)).isDirectory()).toBe(true)
  })

  it('downloads without a destination by answering the file in place', async () => {
    const store = new LocalArtifactStore(newRoot())
    await store.writeArtifact('dir/f.txt', 'f')
    expect(await store.downloadArtifacts('dir/f.txt')).toBe(join(store.root, 'dir', 'f.txt'))
    expect(await store.downloadArtifacts('')).toBe(store.root)
  })

  it('keeps empty directories when logging and downloading a tree', async () => {
    const source = join(base, `tree-${counter++}`)
    await mkdir(join(source, 'empty'), { recursive: true })
    await writeFile(join(source, 'f.txt'), 'f')
    const store = new LocalArtifactStore(newRoot())
    await store.logArtifacts(source, 'run')
    expect(await store.listArtifacts('run')).toEqual([
      { path: 'run/empty', isDir: true },
      { path: 'run/f.txt', isDir: false, fileSize: 1 },
    ])
    const dst = join(base, `dst-${counter++}`)
    await mkdir(dst)
    const copy = await store.downloadArtifacts('run', dst)
    expect((await readdir(copy)).sort()).toEqual(['empty', 'f.txt'])
  })

  it('refuses symlinks that resolve outside the root and follows those inside', async () => {
    const outside = join(base, `outside-${counter++}`)
    await mkdir(outside)
    await writeFile(join(outside, 'secret.txt'), 'secret')
    const store = new LocalArtifactStore(newRoot())
    await store.writeArtifact('inside/real.txt', 'real')
    await symlink(outside, join(store.root, 'escape'))
    await symlink(join(outside, 'secret.txt'), join(store.root, 'escape.txt'))
    await symlink(join(store.root, 'inside'), join(store.root, 'alias'))

    const refused = {
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('resolved path is outside the artifact directory'),
    }
    await expect(store.listArtifacts('escape')).rejects.toMatchObject(refused)
    await expect(store.openReadStream('escape.txt')).rejects.toMatchObject(refused)
    await expect(store.openReadStream('escape/secret.txt')).rejects.toMatchObject(refused)
    await expect(store.downloadArtifacts('escape.txt')).rejects.toMatchObject(refused)
    await expect(store.writeArtifact('escape/new.txt', 'x')).rejects.toMatchObject(refused)
    await expect(store.deleteArtifacts('escape/secret.txt')).rejects.toMatchObject(refused)
    await expect(collect(store.walkFiles())).rejects.toMatchObject(refused)

    expect(await store.listArtifacts('alias')).toEqual([
      { path: 'alias/real.txt', isDir: false, fileSize: 4 },
    ])
    expect(await readFile(await store.downloadArtifacts('alias/real.txt'), 'utf8')).toBe('real')
    // Deleting the link itself removes the link, never its target.
    await store.deleteArtifacts('escape')
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
  })

  it('leaves no partial file behind when a write fails', async () => {
    const store = new LocalArtifactStore(newRoot())
    await store.writeArtifact('f.txt', 'old')
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'))
        this.destroy(new Error('source broke'))
      },
    })
    await expect(store.writeArtifact('f.txt', failing)).rejects.toThrow()
    expect(await readFile(join(store.root, 'f.txt'), 'utf8')).toBe('old')
    expect(await readdir(store.root)).toEqual(['f.txt'])
  })

  it('keeps the modification time of logged files', async () => {
    const dir = join(base, `mtime-${counter++}`)
    await mkdir(dir)
    const file = join(dir, 'old.txt')
    await writeFile(file, 'old')
    const { utimes } = await import('node:fs/promises')
    await utimes(file, new Date('2020-01-01'), new Date('2020-01-01'))
    const store = new LocalArtifactStore(newRoot())
    await store.logArtifact(file)
    expect((await stat(join(store.root, 'old.txt'))).mtime.toISOString()).toBe(
      '2020-01-01T00:00:00.000Z',
    )
  })

  it('removes the whole root on deleteArtifacts()', async () => {
    const store = new LocalArtifactStore(newRoot())
    await store.writeArtifact('a/b.txt', 'b')
    await store.deleteArtifacts()
    await expect(stat(store.root)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses to log a missing file or a file given as a directory', async () => {
    const store = new LocalArtifactStore(newRoot())
    await expect(store.logArtifact(join(base, 'missing.txt'))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    })
    await expect(store.logArtifacts(join(base, 'missing-dir'))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    })
    await expect(store.logArtifact(base)).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
  })
})
