import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyTree, openArtifactStore } from '../../src/artifacts/index.js'
import type { ArtifactStore, OpenArtifactStoreOptions } from '../../src/artifacts/index.js'
import { startGcsServer } from '../support/gcs-server.js'
import type { GcsTestServer } from '../support/gcs-server.js'
import { s3TestOptions, startS3Server } from '../support/s3-server.js'
import type { S3TestServer } from '../support/s3-server.js'
import { collect, readAll } from './conformance/artifact-store-conformance.js'

const MIB = 1024 * 1024
let s3: S3TestServer
let gcs: GcsTestServer
let scratch: string
let options: OpenArtifactStoreOptions
const opened: ArtifactStore[] = []

beforeAll(async () => {
  ;[s3, gcs] = await Promise.all([startS3Server(), startGcsServer()])
  process.env.STORAGE_EMULATOR_HOST = gcs.url
  scratch = await mkdtemp(join(tmpdir(), 'trackstore-copy-'))
  options = {
    s3: { ...s3TestOptions(s3), partSize: 5 * MIB, multipartThreshold: 5 * MIB },
    gcs: { projectId: 'trackstore-test', resumableThreshold: MIB, uploadChunkSize: 4 * MIB },
  }
})
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()))
  await Promise.all([s3?.stop(), gcs?.stop()])
  delete process.env.STORAGE_EMULATOR_HOST
  await rm(scratch, { recursive: true, force: true })
})

const open = (uri: string): ArtifactStore => {
  const store = openArtifactStore(uri, options)
  opened.push(store)
  return store
}

describe('copyTree', () => {
  it('moves a tree local → S3 → GCS → local with every byte intact', async () => {
    const big = Buffer.alloc(11 * MIB + 7)
    for (let i = 0; i < big.length; i += 1024) big.writeUInt32LE(i, i)
    const source = join(scratch, 'source')
    await mkdir(join(source, 'model', 'data'), { recursive: true })
    await writeFile(join(source, 'model', 'data', 'weights.bin'), big)
    await writeFile(join(source, 'model', 'MLmodel'), 'flavors: {}\n')
    await writeFile(join(source, 'metrics.json'), '{"loss": 0.1}')

    const local = open(join(scratch, 'local-root'))
    await local.logArtifacts(source)
    const onS3 = open(`s3://${s3.createBucket()}/exp/1/run/artifacts`)
    const onGcs = open(`gs://${gcs.newBucket()}/mirror`)
    const back = open(join(scratch, 'back'))

    const copied: string[] = []
    const first = await copyTree(local, onS3, { onFile: (_, target) => copied.push(target) })
    expect(first).toEqual({ files: 3, bytes: big.length + 12 + 13 })
    expect(copied.sort()).toEqual(['metrics.json', 'model/MLmodel', 'model/data/weights.bin'])
    await copyTree(onS3, onGcs, { concurrency: 1 })
    await copyTree(onGcs, back, { sourcePath: 'model', destinationPath: 'restored/model' })

    const restored = join(scratch, 'back', 'restored', 'model', 'data', 'weights.bin')
    // Buffer.equals: a deep toEqual over millions of bytes takes minutes.
    expect((await readFile(restored)).equals(big)).toBe(true)
    expect(await onGcs.listArtifacts()).toEqual([
      { path: 'metrics.json', isDir: false, fileSize: 13 },
      { path: 'model', isDir: true },
    ])
  })

  it('copies a single file, to its base name or to a given path', async () => {
    const from = open(`s3://${s3.createBucket()}/a`)
    const to = open(`gs://${gcs.newBucket()}/b`)
    await from.writeArtifact('plots/loss.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    expect(await copyTree(from, to, { sourcePath: 'plots/loss.png' })).toEqual({
      files: 1,
      bytes: 4,
    })
    await copyTree(from, to, { sourcePath: 'plots/loss.png', destinationPath: 'x/y.png' })
    expect((await collect(to.walkFiles())).map((file) => file.path).sort()).toEqual([
      'loss.png',
      'x/y.png',
    ])
    expect(await readAll(await to.openReadStream('x/y.png'))).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    )
  })

  it('copies an empty root as nothing and refuses a missing source path', async () => {
    const from = open(`gs://${gcs.newBucket()}/empty`)
    const to = open(join(scratch, 'empty-target'))
    expect(await copyTree(from, to)).toEqual({ files: 0, bytes: 0 })
    await expect(copyTree(from, to, { sourcePath: 'missing' })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining('No such artifact'),
    })
  })

  it('refuses invalid paths on either side', async () => {
    const from = open(join(scratch, 'a'))
    const to = open(join(scratch, 'b'))
    await expect(copyTree(from, to, { sourcePath: '../x' })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    await expect(copyTree(from, to, { destinationPath: '/abs' })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
  })
})
