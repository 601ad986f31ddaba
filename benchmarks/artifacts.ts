/**
 * Moves one large file local → S3 → GCS → local through trackstore's artifact stores and reports
 * throughput per leg and the peak memory of this process. The S3 and GCS emulators run in a child
 * process, so that their own buffers (both keep whole objects in memory) do not count.
 *
 *   npm run bench:artifacts                 # 1 GiB
 *   npm run bench:artifacts -- --size-mib 256
 *   npm run bench:artifacts -- --s3-queue 2 --gcs-chunk-mib 4   # fewer buffers in flight
 *   npm run bench:artifacts -- --profile    # also peak V8 heap and Buffer memory per leg
 *
 * The legs: `logArtifact` of a local file to S3 (multipart), `copyTree` from S3 to GCS (one
 * streamed object, resumable upload in chunks below the emulator's 130 MB request cap), and
 * `downloadArtifacts` from GCS to a local directory. The result is checked by SHA-256.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { copyTree, openArtifactStore } from '../src/artifacts/index.js'

const MIB = 1024 * 1024

interface Endpoints {
  s3: string
  gcs: string
  bucket: string
}

/** Child mode: start both emulators on 127.0.0.1, print their URLs, stop when stdin closes. */
async function serve(): Promise<void> {
  // Imported here only: the measured process must not carry the emulators' modules.
  const { startS3Server } = await import('../test/support/s3-server.js')
  const { startGcsServer } = await import('../test/support/gcs-server.js')
  const [s3, gcs] = await Promise.all([startS3Server(), startGcsServer()])
  const endpoints: Endpoints = { s3: s3.endpoint, gcs: gcs.url, bucket: s3.createBucket() }
  process.stdout.write(`${JSON.stringify(endpoints)}\n`)
  process.stdin.resume()
  await new Promise((resolve) => process.stdin.once('end', resolve))
  await Promise.all([s3.stop(), gcs.stop()])
  process.exit(0)
}

async function startEmulators(): Promise<{ endpoints: Endpoints; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`emulators exited with ${code}`)))
  })
  return { endpoints: JSON.parse(first) as Endpoints, stop: () => child.stdin.end() }
}

/** Writes `size` bytes of varied content, 1 MiB at a time, and answers their SHA-256. */
async function writeSource(path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(path)
  const block = Buffer.alloc(MIB)
  for (let written = 0, index = 0; written < size; index++) {
    for (let i = 0; i < block.length; i += 8) block.writeUInt32LE((index * 131 + i) >>> 0, i)
    const chunk = block.subarray(0, Math.min(MIB, size - written))
    hash.update(chunk)
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    written += chunk.length
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  )
  return hash.digest('hex')
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function main(): Promise<void> {
  const sizeArg = process.argv.indexOf('--size-mib')
  const sizeMib = sizeArg > 0 ? Number(process.argv[sizeArg + 1]) : 1024
  if (!Number.isInteger(sizeMib) || sizeMib <= 0)
    throw new Error('--size-mib needs a positive integer')
  const size = sizeMib * MIB
  // Memory knobs (library defaults: 4 S3 parts in flight; GCS chunks of 8 MiB here because the
  // emulator caps one request at 130 MB).
  const number = (flag: string, fallback: number): number => {
    const at = process.argv.indexOf(flag)
    const value = at > 0 ? Number(process.argv[at + 1]) : fallback
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer`)
    return value
  }
  const queue = number('--s3-queue', 4)
  const gcsChunkMib = number('--gcs-chunk-mib', 8)

  const scratch = await mkdtemp(join(tmpdir(), 'trackstore-bench-artifacts-'))
  const emulators = await startEmulators()
  let peakRss = process.memoryUsage.rss()
  // With --profile, also the peaks of the V8 heap and of Buffer memory (`arrayBuffers`), per leg.
  const profile = process.argv.includes('--profile')
  let peakHeap = 0
  let peakBuffers = 0
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
    if (profile) {
      const usage = process.memoryUsage()
      peakHeap = Math.max(peakHeap, usage.heapUsed)
      peakBuffers = Math.max(peakBuffers, usage.arrayBuffers)
    }
  }, 10)
  try {
    const source = join(scratch, 'model.bin')
    const expected = await writeSource(source, size)
    const baselineRss = process.memoryUsage.rss()
    peakRss = baselineRss

    process.env.STORAGE_EMULATOR_HOST = emulators.endpoints.gcs
    const s3 = openArtifactStore(`s3://${emulators.endpoints.bucket}/bench/run/artifacts`, {
      s3: {
        endpointUrl: emulators.endpoints.s3,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        // fauxqs refuses single requests above ~11 MiB; 8 MiB parts are boto3's default anyway.
        partSize: 8 * MIB,
        uploadQueueSize: queue,
        env: {},
      },
    })
    const gcs = openArtifactStore('gs://trackstore-bench/mirror', {
      gcs: {
        projectId: 'trackstore-bench',
        uploadChunkSize: gcsChunkMib * MIB,
        env: {},
      },
    })
    const legs: {
      leg: string
      seconds: number
      peakRss: number
      peakHeap: number
      peakBuffers: number
    }[] = []
    const time = async (leg: string, work: () => Promise<unknown>): Promise<void> => {
      const before = peakRss
      peakRss = process.memoryUsage.rss()
      peakHeap = 0
      peakBuffers = 0
      const started = process.hrtime.bigint()
      await work()
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      legs.push({ leg, seconds, peakRss, peakHeap, peakBuffers })
      peakRss = Math.max(before, peakRss)
    }

    await time('local → S3 (logArtifact)', () => s3.logArtifact(source))
    await time('S3 → GCS (copyTree)', () => copyTree(s3, gcs))
    const dst = join(scratch, 'downloaded')
    let downloaded = ''
    await time('GCS → local (downloadArtifacts)', async () => {
      const { mkdir } = await import('node:fs/promises')
      await mkdir(dst)
      downloaded = await gcs.downloadArtifacts('model.bin', dst)
    })
    clearInterval(sampler)
    const intact = (await sha256(downloaded)) === expected
    await Promise.all([s3.close(), gcs.close()])

    const mb = size / 1e6
    console.log(`\nArtifact transfer of a ${sizeMib} MiB file (Node ${process.version})\n`)
    const mib = (bytes: number, width: number): string => (bytes / MIB).toFixed(0).padStart(width)
    const extra = profile ? '  heap MiB  buffers MiB' : ''
    console.log(`leg                              seconds     MB/s  peak RSS MiB${extra}`)
    for (const { leg, seconds, peakRss: legPeak, peakHeap: heap, peakBuffers: buf } of legs) {
      const rate = (mb / seconds).toFixed(1).padStart(8)
      const peaks = profile ? `${mib(heap, 10)} ${mib(buf, 12)}` : ''
      console.log(
        `${leg.padEnd(32)} ${seconds.toFixed(2).padStart(7)} ${rate} ${mib(legPeak, 13)}${peaks}`,
      )
    }
    const total = legs.reduce((sum, leg) => sum + leg.seconds, 0)
    const overall = ((3 * mb) / total).toFixed(1).padStart(8)
    console.log(`${'total'.padEnd(32)} ${total.toFixed(2).padStart(7)} ${overall}`)
    console.log(`\nRSS before the transfers:   ${(baselineRss / MIB).toFixed(0)} MiB`)
    console.log(
      `peak RSS during transfers:  ${(peakRss / MIB).toFixed(0)} MiB (sampled every 10 ms)`,
    )
    console.log(
      `max RSS of the process:     ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    )
    console.log(`content intact (SHA-256):   ${intact ? 'yes' : 'NO'}`)
    if (!intact) process.exitCode = 1
  } finally {
    clearInterval(sampler)
    emulators.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}

if (process.argv.includes('--serve')) await serve()
else await main()
