/**
 * The commands end to end, in-process: migrate with --verify and --json, verify's exit code on
 * a single changed metric value, merge refusal, dry run, export and import through gzip.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTestSqlite, type TestDatabase } from '../../support/databases.js'
import { copyOfFixture } from '../copy/support.js'
import { cli } from './capture.js'

describe('trackstore migrate, verify, export, import', () => {
  let fixture: Awaited<ReturnType<typeof copyOfFixture>>
  let work: string
  const databases: TestDatabase[] = []

  beforeAll(async () => {
    fixture = await copyOfFixture('mlruns')
    work = await mkdtemp(path.join(os.tmpdir(), 'trackstore-cli-'))
  })
  afterAll(async () => {
    await fixture?.remove()
    await rm(work, { recursive: true, force: true })
    await Promise.all(databases.map((database) => database.drop()))
  })

  async function database(): Promise<TestDatabase> {
    const created = await createTestSqlite()
    databases.push(created)
    return created
  }

  test('migrate --verify --json copies the fixture and reports it equal', async () => {
    const target = await database()
    const result = await cli('migrate', fixture.path, target.uri, '--verify', '--json')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(summary.runs).toMatchObject({ copied: 20, existing: 0, skipped: 0 })
    expect(summary.metricRows).toBe(720)
    expect(summary.verify.equal).toBe(true)
    expect(summary.verify.tolerated).toMatchObject({ infClamp: 40, negativeZero: 20 })
    expect(summary.unsupported).toEqual({})

    // The same command again resumes a finished copy: nothing new, still equal.
    const again = JSON.parse(
      (await cli('migrate', fixture.path, target.uri, '--verify', '--json')).stdout,
    )
    expect(again).toMatchObject({ resumed: true, runs: { copied: 0, existing: 20 } })
    expect(again.verify.equal).toBe(true)
  })

  test('verify catches a single changed metric value and exits 1', async () => {
    const target = await database()
    expect((await cli('migrate', fixture.path, target.uri, '--json')).code).toBe(0)
    const equal = await cli('verify', fixture.path, target.uri)
    expect(equal.code).toBe(0)
    expect(equal.stdout).toMatch(/Result\s+equal/)

    const file = target.uri.slice('sqlite:///'.length)
    const db = new Database(file)
    const changed = db
      .prepare(
        `update metrics set value = value + 0.5 where rowid = (select min(rowid) from metrics
          where key = 'loss' and step = 3)`,
      )
      .run()
    db.close()
    expect(changed.changes).toBe(1)

    const result = await cli('verify', fixture.path, target.uri, '--json')
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.equal).toBe(false)
    expect(report.differenceCount).toBe(1)
    expect(report.differences[0].what).toBe('metric loss rows')
    expect(result.stderr).toMatch(/verify found 1 difference/)
  })

  test('refuses a destination with other data unless --merge', async () => {
    const target = await database()
    expect((await cli('migrate', fixture.path, target.uri)).code).toBe(0)
    const other = await copyOfFixture('mlflow.db')
    try {
      const refused = await cli('migrate', other.uri, target.uri)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/already holds experiments or runs.*--merge/)

      // With --merge: the SQLite fixture's experiments 1-3 have the same names as the mlruns
      // ones under other ids, so they collide; its runs have other ids but no experiment.
      const merged = await cli('migrate', other.uri, target.uri, '--merge', '--json')
      expect(merged.code).toBe(1)
      const summary = JSON.parse(merged.stdout)
      expect(summary.experiments.collided).toBe(3)
      expect(summary.collisions.map((c: { id: string }) => c.id)).toEqual(['1', '2', '3'])
      expect(merged.stderr).toMatch(/3 experiment\(s\) or run\(s\) collided/)
    } finally {
      await other.remove()
    }
  })

  test('--dry-run reports what would move and writes nothing', async () => {
    const target = await database()
    const dry = await cli('migrate', fixture.path, target.uri, '--dry-run', '--json')
    expect(dry.code).toBe(0)
    const summary = JSON.parse(dry.stdout)
    expect(summary).toMatchObject({ dryRun: true, metricRows: 720, runs: { copied: 20 } })
    const after = await cli('migrate', fixture.path, target.uri, '--json')
    expect(JSON.parse(after.stdout)).toMatchObject({ resumed: false, runs: { copied: 20 } })
  })

  test('export to .jsonl.gz and import give back an equal store', async () => {
    const file = path.join(work, 'fixture.jsonl.gz')
    const exported = await cli('export', fixture.path, file, '--json')
    expect(exported.code).toBe(0)
    expect(JSON.parse(exported.stdout).metricRows).toBe(720)
    expect((await stat(file)).size).toBeGreaterThan(1000)

    const imported = path.join(work, 'imported-mlruns')
    const result = await cli('import', file, imported, '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).runs.copied).toBe(20)
    const check = await cli('verify', fixture.path, imported, '--json')
    expect(JSON.parse(check.stdout).differences).toEqual([])
    expect(check.code).toBe(0)
  })

  test('help texts name every option', async () => {
    const help = await cli('migrate', '--help')
    for (const flag of [
      '--artifacts-to',
      '--verify',
      '--merge',
      '--on-error',
      '--id-strategy',
      '--mapping-file',
      '--dry-run',
      '--json',
    ]) {
      expect(help.stdout).toContain(flag)
    }
    expect((await cli('verify', '--help')).stdout).toContain('--artifacts')
  })
})
