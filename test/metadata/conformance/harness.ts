/**
 * Plumbing shared by the conformance areas: the store factory type, store lifetimes, error
 * assertions and small builders. Backends only provide a `StoreFactory`.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import {
  TrackstoreError,
  type ErrorCode,
  type MetadataStore,
  type Run,
  type RunTag,
} from '../../../src/index.js'

export interface StoreFactoryOptions {
  /** MLflow's `MLFLOW_TRUNCATE_LONG_VALUES`; the factory defaults it to `true` as MLflow does. */
  truncateLongValues?: boolean
}

export interface StoreHandle {
  store: MetadataStore
  cleanup(): Promise<void>
  /**
   * The default artifact root the store was opened with, when the backend has one: new
   * experiments must then live at `<defaultArtifactRoot>/<experiment id>`.
   */
  defaultArtifactRoot?: string
}

/** Returns a FRESH, empty store (a new database or folder) on every call. */
export type StoreFactory = (options?: StoreFactoryOptions) => Promise<StoreHandle>

/**
 * Opens one store for the enclosing `describe` (in `beforeAll`) and cleans it up afterwards.
 * The returned getter is only valid inside tests and hooks.
 */
export function useStore(factory: StoreFactory, options?: StoreFactoryOptions): () => StoreHandle {
  let handle: StoreHandle | undefined
  beforeAll(async () => {
    handle = await factory(options)
  })
  afterAll(async () => {
    await handle?.cleanup()
  })
  return () => {
    if (handle === undefined) throw new Error('the store is only available inside tests')
    return handle
  }
}

/** Awaits `action` and asserts it fails with a `TrackstoreError` of `code` whose message holds
 * every fragment. */
export async function expectError(
  action: Promise<unknown>,
  code: ErrorCode,
  ...fragments: (string | RegExp)[]
): Promise<TrackstoreError> {
  let caught: unknown
  let succeeded = false
  try {
    await action
    succeeded = true
  } catch (error) {
    caught = error
  }
  expect(succeeded, `expected a ${code} error, but the call succeeded`).toBe(false)
  expect(caught).toBeInstanceOf(TrackstoreError)
  const error = caught as TrackstoreError
  expect({ code: error.code, message: error.message }).toMatchObject({ code })
  for (const fragment of fragments) {
    if (typeof fragment === 'string') expect(error.message).toContain(fragment)
    else expect(error.message).toMatch(fragment)
  }
  return error
}

let counter = 0

/** A name no other test of the run uses. */
export function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

export async function createExperiment(store: MetadataStore, prefix: string): Promise<string> {
  return store.createExperiment(uniqueName(prefix))
}

export interface RunSpec {
  runName?: string
  startTime?: number
  userId?: string
  tags?: RunTag[]
}

export async function createRun(
  store: MetadataStore,
  experimentId: string,
  spec: RunSpec = {},
): Promise<Run> {
  return store.createRun({ experimentId, ...spec })
}

/** `{ key: value }` of a key/value list, to compare tags and params without caring for order. */
export function asRecord(entries: { key: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))
}

export function keysOf(entries: { key: string }[]): string[] {
  return entries.map((entry) => entry.key)
}

/** Keys sorted by code unit, as the contract orders tags, params and metrics. */
export function sortedKeys(keys: string[]): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The largest double: what SQL stores keep for ±Infinity. */
export const MAX_DOUBLE = 1.7976931348623157e308

/** The value a store reads back for `value`, given its `clampsInfinity` capability. */
export function storedValue(store: MetadataStore, value: number): number {
  if (!store.capabilities.clampsInfinity) return value
  if (value === Infinity) return MAX_DOUBLE
  if (value === -Infinity) return -MAX_DOUBLE
  if (Object.is(value, -0)) return 0
  return value
}

/** `base64({"offset": N})`, MLflow's page token format. */
export function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }).replace(':', ': ')).toString('base64')
}
