/**
 * Runs once before the suite. Under CI=true every backend must be tested: an unreachable
 * PostgreSQL or MariaDB fails the run here instead of letting its tests skip.
 */
import { probe, type ServerKind } from './databases.js'

export default async function setup(): Promise<void> {
  if (process.env.CI !== 'true') return
  const kinds: ServerKind[] = ['postgresql', 'mysql']
  for (const kind of kinds) {
    const problem = await probe(kind)
    if (problem !== null) {
      throw new Error(`CI=true: ${kind} is unreachable (${problem}); refusing to skip its tests`)
    }
  }
}
