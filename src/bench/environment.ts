/**
 * What the report records about where it was measured: the machine, and the versions of
 * trackstore, its drivers, the charting library and the database servers.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MachineInfo } from './types.js'

const require = createRequire(import.meta.url)

/** Packages whose versions the report lists, under these names. */
const PACKAGES = ['kysely', 'better-sqlite3', 'pg', 'mysql2', 'chart.js'] as const

export function machineInfo(): MachineInfo {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() || os.arch(),
    cores: os.availableParallelism?.() ?? cpus.length,
    memory: os.totalmem(),
    os: `${os.type()} ${os.release()} (${os.platform()} ${os.arch()})`,
    node: process.version,
  }
}

/** The nearest package.json above `file` whose name is `name`. */
function findPackageJson(file: string, name: string): { version?: string } | null {
  let folder = path.dirname(file)
  for (;;) {
    const candidate = path.join(folder, 'package.json')
    if (fs.existsSync(candidate)) {
      const json = JSON.parse(fs.readFileSync(candidate, 'utf8')) as {
        name?: string
        version?: string
      }
      if (json.name === name) return json
    }
    const parent = path.dirname(folder)
    if (parent === folder) return null
    folder = parent
  }
}

/** The installed version of a package, or `not installed`. */
export function packageVersion(name: string): string {
  try {
    return findPackageJson(require.resolve(name), name)?.version ?? 'unknown'
  } catch {
    return 'not installed'
  }
}

/** Versions of trackstore, its drivers and the SQLite library better-sqlite3 embeds. */
export async function packageVersions(): Promise<Record<string, string>> {
  const own = findPackageJson(fileURLToPath(import.meta.url), 'trackstore')
  const versions: Record<string, string> = { trackstore: own?.version ?? 'unknown' }
  for (const name of PACKAGES) versions[name] = packageVersion(name)
  try {
    const { default: Database } = await import('better-sqlite3')
    const database = new Database(':memory:')
    const row = database.prepare('SELECT sqlite_version() AS version').get() as {
      version: string
    }
    database.close()
    versions.sqlite = row.version
  } catch {
    versions.sqlite = 'unknown'
  }
  return versions
}
