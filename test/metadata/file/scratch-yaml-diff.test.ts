import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { dumpYaml, parseYaml } from '../../../src/metadata/file/pyyaml.js'
const norm = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    typeof x === 'bigint'
      ? Number(x)
      : x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
        : x,
  )
test('diff', () => {
  const cases = JSON.parse(readFileSync('/tmp/ydiff/cases.json', 'utf8'))
  let bad = 0
  let badRead = 0
  for (const c of cases) {
    const got = dumpYaml(c.input)
    if (got !== c.output) {
      bad++
      if (bad < 6) console.log(JSON.stringify(c.input), '\nEXPECTED\n' + JSON.stringify(c.output) + '\nGOT\n' + JSON.stringify(got))
    }
    let back: unknown
    try { back = parseYaml(c.output) } catch (e) { badRead++; if (badRead < 5) console.log('PARSEERR', JSON.stringify(c.output), String(e)); continue }
    if (norm(back) !== norm(c.input)) {
      badRead++
      if (badRead < 8) console.log('READ', JSON.stringify(c.output), '\n', norm(back), '\n', norm(c.input))
    }
  }
  console.log('bad', bad, 'badRead', badRead)
  expect(bad + badRead).toBe(0)
})
