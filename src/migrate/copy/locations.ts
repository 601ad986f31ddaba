/**
 * Artifact locations of experiments whose id changes (`idStrategy: 'remap'`).
 */

const SUFFIX = /^([^?#]*?)([^/?#]+)(\/?)([?#].*)?$/s

/**
 * An experiment's artifact location with the old id swapped for the new one when the location
 * ends with it, as locations MLflow derives do (`<root>/<experiment id>`): new runs of the
 * experiment then go under the new id, never into another experiment's folder. Any other
 * location is returned unchanged. Run artifact URIs are left alone: they point at files that
 * exist, unless the artifacts themselves are copied (`artifactsTo`).
 */
export function rewriteExperimentLocation(location: string, oldId: string, newId: string): string {
  const match = SUFFIX.exec(location)
  if (!match || match[2] !== oldId) return location
  return `${match[1]}${newId}${match[3]}${match[4] ?? ''}`
}
