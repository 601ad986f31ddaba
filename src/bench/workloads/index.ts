/**
 * Every workload `trackstore bench` knows, in the order it runs them. A new workload is one
 * module in this folder and one entry here.
 */
import type { Workload } from '../types.js'
import { artifactsWorkload } from './artifacts.js'
import { historyWorkload } from './history.js'
import { ingestWorkload } from './ingest.js'
import { migrationWorkload } from './migration.js'
import { runCreationWorkload } from './run-creation.js'
import { searchWorkload } from './search.js'

export const WORKLOADS: readonly Workload[] = [
  ingestWorkload,
  runCreationWorkload,
  searchWorkload,
  historyWorkload,
  artifactsWorkload,
  migrationWorkload,
]
