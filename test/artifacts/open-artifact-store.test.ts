import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  GcsArtifactStore,
  LocalArtifactStore,
  openArtifactStore,
  S3ArtifactStore,
} from '../../src/artifacts/index.js'

describe('openArtifactStore', () => {
  it('opens plain paths, relative ones against the working directory', () => {
    const store = openArtifactStore('mlruns/0/abc/artifacts')
    expect(store).toBeInstanceOf(LocalArtifactStore)
    expect((store as LocalArtifactStore).root).toBe(join(process.cwd(), 'mlruns/0/abc/artifacts'))
  })

  it('opens file: URIs in their absolute, host and relative forms', () => {
    const absolute = openArtifactStore('file:///tmp/mlruns/0/a%20b/artifacts')
    expect((absolute as LocalArtifactStore).root).toBe('/tmp/mlruns/0/a b/artifacts')
    const localhost = openArtifactStore('file://localhost/tmp/x')
    expect((localhost as LocalArtifactStore).root).toBe('/tmp/x')
    const relative = openArtifactStore('file:mlruns/1')
    expect((relative as LocalArtifactStore).root).toBe(join(process.cwd(), 'mlruns/1'))
  })

  it('opens s3:// and gs:// URIs without loading or contacting anything', () => {
    const s3 = openArtifactStore('s3://bucket/path/to/run/', { s3: { env: {} } })
    expect(s3).toBeInstanceOf(S3ArtifactStore)
    expect(s3.uri).toBe('s3://bucket/path/to/run')
    const gcs = openArtifactStore('gs://bucket/p', { gcs: { env: {} } })
    expect(gcs).toBeInstanceOf(GcsArtifactStore)
    expect(gcs.uri).toBe('gs://bucket/p')
  })

  it.each(['', 'hdfs://nn/path', 'wasbs://c@a.blob.core.windows.net/p', 'ftp://x/y'])(
    'refuses %j with INVALID_PARAMETER_VALUE',
    (uri) => {
      expect(() => openArtifactStore(uri)).toThrow(
        expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
      )
    },
  )
})
