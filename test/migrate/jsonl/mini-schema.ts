/**
 * A small JSON Schema checker for the keywords schema/export-v1.schema.json uses ($ref, oneOf,
 * not, type, const, enum, required, properties, additionalProperties, items, prefixItems,
 * minItems, maxItems, minimum, minLength). Returns the problems found, empty when valid.
 */
export type JsonSchema = { [keyword: string]: unknown }

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function matchesType(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type]
  const actual = typeOf(value)
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'))
}

export function validate(schema: JsonSchema, value: unknown, root: JsonSchema, at = '$'): string[] {
  const problems: string[] = []
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node as JsonSchema)[part], root) as JsonSchema
    problems.push(...validate(target, value, root, at))
  }
  if (Array.isArray(schema.oneOf)) {
    const passing = schema.oneOf.filter(
      (s) => validate(s as JsonSchema, value, root, at).length === 0,
    )
    if (passing.length !== 1) problems.push(`${at}: matches ${passing.length} of oneOf`)
  }
  if (schema.not && validate(schema.not as JsonSchema, value, root, at).length === 0) {
    problems.push(`${at}: matches a schema it must not`)
  }
  if (schema.type !== undefined && !matchesType(value, schema.type)) {
    problems.push(`${at}: ${typeOf(value)} is not ${JSON.stringify(schema.type)}`)
    return problems
  }
  if ('const' in schema && value !== schema.const)
    problems.push(`${at}: not ${String(schema.const)}`)
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${at}: not in enum`)
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) {
    problems.push(`${at}: below ${schema.minimum}`)
  }
  if (
    typeof schema.minLength === 'number' &&
    typeof value === 'string' &&
    value.length < schema.minLength
  ) {
    problems.push(`${at}: shorter than ${schema.minLength}`)
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in object)) problems.push(`${at}: missing ${key}`)
    }
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
    for (const [key, item] of Object.entries(object)) {
      if (properties[key]) problems.push(...validate(properties[key], item, root, `${at}.${key}`))
      else if (schema.additionalProperties === false) problems.push(`${at}: unexpected ${key}`)
      else if (typeof schema.additionalProperties === 'object') {
        problems.push(
          ...validate(schema.additionalProperties as JsonSchema, item, root, `${at}.${key}`),
        )
      }
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      problems.push(`${at}: too short`)
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      problems.push(`${at}: too long`)
    const prefix = (schema.prefixItems ?? []) as JsonSchema[]
    value.forEach((item, index) => {
      const itemSchema = prefix[index] ?? (schema.items as JsonSchema | undefined)
      if (itemSchema) problems.push(...validate(itemSchema, item, root, `${at}[${index}]`))
    })
  }
  return problems
}
