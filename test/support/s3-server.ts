import { startFauxqs } from 'fauxqs'

/**
 * An in-process S3 server on 127.0.0.1 (fauxqs, in memory), reached by `@aws-sdk/client-s3` over
 * HTTP. fauxqs checks no signatures, so any credentials do; it refuses a single PUT above about
 * 11 MiB, so stores opened against it keep multipart parts at 5–10 MiB.
 */
export interface S3TestServer {
  /** `http://127.0.0.1:PORT`, the value for `MLFLOW_S3_ENDPOINT_URL`. */
  readonly endpoint: string
  /** Creates a fresh, empty bucket and returns its name. */
  createBucket(): string
  stop(): Promise<void>
}

let counter = 0

export async function startS3Server(): Promise<S3TestServer> {
  const server = await startFauxqs({ host: '127.0.0.1', port: 0, logger: false })
  const endpoint = `http://127.0.0.1:${server.port}`
  return {
    endpoint,
    createBucket() {
      const name = `trackstore-${process.pid}-${Date.now().toString(36)}-${counter++}`
      server.createBucket(name)
      return name
    },
    stop: () => server.stop(),
  }
}

/** What an S3 artifact store needs to talk to the test server, without touching process.env. */
export function s3TestOptions(server: S3TestServer): {
  endpointUrl: string
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  env: Record<string, string>
} {
  return {
    endpointUrl: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    env: {},
  }
}
