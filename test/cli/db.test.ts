import { describe, expect, test } from 'vitest'
import { runCli } from '../../src/cli/main.js'
import type { CliIo } from '../../src/cli/io.js'
import { HEAD_MIGRATION, MIGRATIONS, MLFLOW_HEAD_REVISION } from '../../src/migrate/index.js'

import { createTestDatabase, createTestSqlite, serverAvailable } from '../support/databases.js'
import { copyFixture } from '../migrate/helpers.js'

const [SCHEMA, ...LATER] = MIGRATIONS.map((migration) => migration.name)

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  const out: string[] = []
  const err: string[] = []
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  }
}

async function run(...args: string[]) {
  const io = capture()
  const code = await runCli(args, io)
  return { code, stdout: io.stdout(), stderr: io.stderr() }
}

describe('trackstore db', () => {
  test('status, upgrade, status again on a new SQLite database', async () => {
    const database = await createTestSqlite()
    try {
      const missing = await run('db', 'status', database.uri)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(/^error: No SQLite database at .*\(RESOURCE_DOES_NOT_EXIST\)$/)

      const upgrade = await run('db', 'upgrade', database.uri)
      expect(upgrade).toMatchObject({ code: 0, stderr: '' })
      for (const name of [SCHEMA, ...LATER]) expect(upgrade.stdout).toContain(name)
      expect(upgrade.stdout).toContain(`Created MLflow's schema at alembic revision`)

      const again = await run('db', 'upgrade', database.uri, '--json')
      expect(again.code).toBe(0)
      expect(JSON.parse(again.stdout)).toMatchObject({ before: 'current', executed: [] })

      const human = await run('db', 'status', database.uri)
      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(/^State +current: /m)
      expect(human.stdout).toMatch(
        new RegExp(`^Alembic revision +${MLFLOW_HEAD_REVISION} \\(expected`, 'm'),
      )
      expect(human.stdout).toMatch(/^Pending +none$/m)

      const json = JSON.parse((await run('db', 'status', database.uri, '--json')).stdout)
      expect(json).toMatchObject({
        state: 'current',
        head: HEAD_MIGRATION,
        pending: [],
        alembicRevision: MLFLOW_HEAD_REVISION,
        applied: [SCHEMA, ...LATER].map((name) => ({ name, baseline: false })),
      })
    } finally {
      await database.drop()
    }
  })

  test('an older MLflow database: status explains, upgrade fails with the code', async () => {
    const fixture = await copyFixture('upstream-tests/db_version_7ac759974ad8_with_metrics.db')
    try {
      const status = await run('db', 'status', fixture.uri)
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(/^State +other-revision: /m)
      expect(status.stdout).toContain('7ac759974ad8')
      expect(status.stdout).toContain(`trackstore db upgrade ${fixture.uri}`)

      const upgrade = await run('db', 'upgrade', fixture.uri)
      expect(upgrade.code).toBe(1)
      expect(upgrade.stdout).toBe('')
      expect(upgrade.stderr).toMatch(/^error: The database is at MLflow alembic revision/)
      expect(upgrade.stderr).toContain('cannot yet upgrade older MLflow revisions')
      expect(upgrade.stderr).toMatch(/\(INVALID_STATE\)$/)
    } finally {
      await fixture.remove()
    }
  })

  test('the MLflow fixture is baselined by upgrade', async () => {
    const fixture = await copyFixture('fixtures/mlflow.db')
    try {
      const upgrade = await run('db', 'upgrade', fixture.uri)
      expect(upgrade.code).toBe(0)
      expect(upgrade.stdout).toContain(
        `Recorded ${SCHEMA} as applied: MLflow created this schema at ` +
          `${MLFLOW_HEAD_REVISION}.`,
      )
      for (const name of LATER) expect(upgrade.stdout).toContain(name)
    } finally {
      await fixture.remove()
    }
  })

  test('usage errors and non-SQL URIs', async () => {
    expect((await run('db', 'status')).code).not.toBe(0)
    const file = await run('db', 'status', './mlruns')
    expect(file.code).toBe(1)
    expect(file.stderr).toContain('(INVALID_PARAMETER_VALUE)')
    expect((await run('--help')).code).toBe(0)
  })
})

describe.skipIf(!(await serverAvailable('postgresql')))('trackstore db on PostgreSQL', () => {
  test('upgrade then status --json; the password is not printed', async () => {
    const database = await createTestDatabase('postgresql')
    const uri = database.uri.replace('postgresql://postgres@', 'postgresql://postgres:hunter2@')
    try {
      expect((await run('db', 'upgrade', uri)).code).toBe(0)
      const status = await run('db', 'status', uri, '--json')
      expect(status.stdout).not.toContain('hunter2')
      expect(JSON.parse(status.stdout)).toMatchObject({ state: 'current' })
    } finally {
      await database.drop()
    }
  })
})
