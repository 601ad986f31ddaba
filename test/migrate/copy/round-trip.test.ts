/**
 * Round trips across every pair of backends on MLflow's own fixtures: the store copied A → B
 * verifies equal to A, and copied back B → A' verifies equal to A within MLflow's documented
 * file/SQL differences (the tolerated kinds are checked too, so nothing else hides there).
 */
import { afterAll, describe, expect, test } from 'vitest'
import {
  available,
  BACKENDS,
  copy,
  emptyStore,
  seededStore,
  verify,
  type Backend,
  type TestStore,
} from './support.js'

const pairs: [Backend, Backend][] = []
for (const [i, a] of BACKENDS.entries()) {
  for (const b of BACKENDS.slice(i + 1)) pairs.push([a, b])
}

for (const [a, b] of pairs) {
  describe.skipIf(!available[a] || !available[b])(`${a} ⇄ ${b}`, () => {
    const stores: TestStore[] = []
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.drop()))
    })

    test('A → B → A verifies equal, within the documented differences', async () => {
      const original = await seededStore(a)
      stores.push(original)
      const middle = await emptyStore(b)
      stores.push(middle)
      const there = await copy(original, middle)
      expect(there.runs.copied).toBe(20)
      expect(there.experiments.copied + there.experiments.existing).toBe(4)
      expect(there.skipped).toEqual([])
      expect(there.collisions).toEqual([])

      const first = await verify(original, middle)
      expect(first.differences).toEqual([])
      expect(first.runs).toBe(20)
      expect(first.metricRows.a).toBeGreaterThanOrEqual(720)

      const back = await emptyStore(a)
      stores.push(back)
      const returned = await copy(middle, back)
      expect(returned.runs.copied).toBe(20)

      const round = await verify(original, back, { viaStores: [middle] })
      expect(round.differences).toEqual([])
      expect(round.equal).toBe(true)
      expect(round.experiments).toBe(4)
      expect(round.runs).toBe(20)
      // Only MLflow's documented kinds are forgiven, and only when a SQL store was involved.
      const sqlInvolved = [a, b].some((kind) => kind !== 'file')
      const kinds = Object.keys(round.tolerated).sort()
      if (sqlInvolved && a === 'file') {
        expect(kinds).toEqual(['infClamp', 'negativeZero'])
      }
      for (const kind of kinds) {
        expect(['duplicateRows', 'infClamp', 'negativeZero', 'metricDatasets']).toContain(kind)
      }
    })
  })
}
