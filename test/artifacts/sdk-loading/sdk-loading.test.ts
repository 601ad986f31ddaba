import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSdk } from '../../../src/artifacts/load-sdk.js'

const run = promisify(execFile)
const here = fileURLToPath(new URL('.', import.meta.url))
const repo = join(here, '..', '..', '..')
const SDKS = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@google-cloud/storage']

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'trackstore-sdk-loading-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

/**
 * Runs `script` (an ES module body) in a fresh `node` process that executes trackstore's
 * TypeScript sources, and answers every module URL that process resolved.
 */
async function resolvedBy(script: string, name: string): Promise<string[]> {
  const log = join(scratch, `${name}.log`)
  await run(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(here, 'register-ts-hooks.mjs')).href,
      '--input-type=module',
      '--eval',
      script,
    ],
    { cwd: repo, env: { ...process.env, TRACKSTORE_RESOLVED_LOG: log } },
  )
  return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '')
}

const loads = (urls: string[], pkg: string): boolean =>
  urls.some((url) => url.includes(`/node_modules/${pkg}/`))

describe('SDK loading', () => {
  it('importing the package root loads neither the AWS nor the Google SDK', async () => {
    const index = pathToFileURL(join(repo, 'src', 'index.ts')).href
    const urls = await resolvedBy(
      `const m = await import(${JSON.stringify(index)});
       const store = m.openArtifactStore('s3://bucket/prefix');
       const gcs = m.openArtifactStore('gs://bucket/prefix');
       if (!store.uri || !gcs.uri) process.exit(3);`,
      'root',
    )
    expect(urls.some((url) => url.endsWith('/src/artifacts/s3/s3-artifact-store.ts'))).toBe(true)
    for (const sdk of SDKS) expect(loads(urls, sdk), sdk).toBe(false)
  })

  it('loads the S3 SDK on first use of an S3 store (the check above can see it)', async () => {
    const index = pathToFileURL(join(repo, 'src', 'artifacts', 'index.ts')).href
    const urls = await resolvedBy(
      `const m = await import(${JSON.stringify(index)});
       const store = m.openArtifactStore('s3://bucket/prefix', {
         s3: { endpointUrl: 'http://127.0.0.1:9', region: 'us-east-1',
               credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, env: {} } });
       await store.listArtifacts().catch(() => undefined);
       await store.close();`,
      'first-use',
    )
    expect(loads(urls, '@aws-sdk/client-s3')).toBe(true)
    expect(loads(urls, '@google-cloud/storage')).toBe(false)
  })

  it('turns a missing SDK into an INVALID_STATE error that says what to install', async () => {
    const missing = 'trackstore-package-that-does-not-exist'
    await expect(
      loadSdk(missing, 'S3', () => import(missing), `${missing} other`),
    ).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(`npm install ${missing} other`),
    })
  })
})
