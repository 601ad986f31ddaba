/**
 * --artifacts-to an S3 bucket (the in-process S3 server of the artifact tests, reached through
 * the real AWS SDK over HTTP): every run's files land under
 * s3://bucket/prefix/<experiment>/<run>/artifacts and verify compares them by SHA-256.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openArtifactStore } from '../../../src/artifacts/index.js'
import { s3TestOptions, startS3Server, type S3TestServer } from '../../support/s3-server.js'
import {
  copy,
  emptyStore,
  generateFileStore,
  openTestStore,
  verify,
  type TestStore,
} from './support.js'

describe('artifacts to S3', () => {
  let server: S3TestServer
  let dir: string
  const stores: TestStore[] = []

  beforeAll(async () => {
    server = await startS3Server()
    dir = await mkdtemp(path.join(os.tmpdir(), 'trackstore-s3-artifacts-'))
  })
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.drop()))
    await rm(dir, { recursive: true, force: true })
    await server?.stop()
  })

  test('copies every run to the bucket and verifies by hash', async () => {
    const root = path.join(dir, 'mlruns')
    await generateFileStore(root, {
      experiments: 1,
      runsPerExperiment: 3,
      metrics: 1,
      steps: 3,
      artifacts: true,
    })
    const source = await openTestStore(root)
    const target = await emptyStore('sqlite')
    stores.push(source, target)
    const bucket = server.createBucket()
    const open = (uri: string) => openArtifactStore(uri, { s3: s3TestOptions(server) })
    const summary = await copy(source, target, {
      artifactsTo: `s3://${bucket}/mlflow`,
      openArtifacts: open,
    })
    expect(summary.artifacts?.files).toBe(6)
    const experimentId = await firstExperiment(target)
    for await (const run of target.store.transfer.runs(experimentId)) {
      expect(run.info.artifactUri).toBe(
        `s3://${bucket}/mlflow/${experimentId}/${run.info.runId}/artifacts`,
      )
    }

    const report = await verify(source, target, {
      artifacts: true,
      compareLocations: false,
      openArtifacts: open,
    })
    expect(report.differences).toEqual([])
    expect(report.artifacts?.files).toBe(6)
    const bucketRoot = open(`s3://${bucket}/mlflow`)
    const listed = await bucketRoot.listArtifacts()
    await bucketRoot.close()
    expect(listed).toEqual([{ path: experimentId, isDir: true }])
  })
})

async function firstExperiment(store: TestStore): Promise<string> {
  for await (const experiment of store.store.transfer.experiments()) {
    if (experiment.experimentId !== '0') return experiment.experimentId
  }
  throw new Error('no experiment')
}
