/**
 * The package as users import it: `import { openMetadataStore } from 'trackstore'` resolves
 * through package.json `exports` to the built `dist/` (npm test builds first), with declarations,
 * and the `trackstore` binary runs.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const run = promisify(execFile)

describe('package exports', () => {
  test('the root entry resolves through exports and has declarations', async () => {
    expect(existsSync(path.join(root, 'dist', 'index.d.ts'))).toBe(true)
    const script = [
      "const m = await import('trackstore')",
      "const store = await m.openMetadataStore('sqlite:///:memory:')",
      'const page = await store.searchExperiments()',
      'await store.close()',
      'console.log(JSON.stringify({ names: page.items.map((e) => e.name), ',
      '  error: typeof m.TrackstoreError, artifacts: typeof m.openArtifactStore }))',
    ].join('\n')
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
    })
    expect(JSON.parse(stdout)).toEqual({
      names: ['Default'],
      error: 'function',
      artifacts: 'function',
    })
  })

  test('the trackstore binary answers --help', async () => {
    const { stdout } = await run(process.execPath, [path.join(root, 'dist/cli/main.js'), '--help'])
    expect(stdout).toContain('trackstore')
    expect(stdout).toContain('db')
  })
})
