import { describe, expect, it } from 'vitest'
import { isTrackstoreError } from '../../../src/core/errors.js'
import { parseExperimentFilter, parseRunFilter } from '../../../src/metadata/search/index.js'

/** Runs `parse` and returns the INVALID_PARAMETER_VALUE message it throws. */
function errorOf(parse: () => unknown): string {
  try {
    parse()
  } catch (error) {
    expect(isTrackstoreError(error, 'INVALID_PARAMETER_VALUE')).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected the parse to fail')
}

const runError = (filter: string): string => errorOf(() => parseRunFilter(filter))
const experimentError = (filter: string): string => errorOf(() => parseExperimentFilter(filter))

/** The clauses without their spans, for compact expectations. */
function clauses(filter: string): unknown[] {
  return parseRunFilter(filter).map(({ span: _span, ...rest }) => rest)
}

describe('parseRunFilter: empty input', () => {
  it.each([undefined, '', '   ', '\n\t'])('gives no clause for %j', (filter) => {
    expect(parseRunFilter(filter)).toEqual([])
  })
})

describe('parseRunFilter: identifiers', () => {
  it.each(['metric', 'metrics', '`metric`', '`metrics`'])('%s.<key> is a metric', (type) => {
    expect(clauses(`${type}.acc > 1`)).toEqual([
      { type: 'metric', key: 'acc', comparator: '>', value: 1 },
    ])
  })

  it.each(['parameter', 'parameters', 'param', 'params', '`params`'])(
    '%s.<key> is a param',
    (type) => {
      expect(clauses(`${type}.model = 'LR'`)).toEqual([
        { type: 'param', key: 'model', comparator: '=', value: 'LR' },
      ])
    },
  )

  it.each(['tag', 'tags', '`tag`'])('%s.<key> is a tag', (type) => {
    expect(clauses(`${type}.team = 'a'`)).toEqual([
      { type: 'tag', key: 'team', comparator: '=', value: 'a' },
    ])
  })

  it.each(['attribute', 'attributes', 'attr', 'run', '`attribute`'])(
    '%s.<key> is an attribute',
    (type) => {
      expect(clauses(`${type}.status = 'FINISHED'`)).toEqual([
        { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      ])
    },
  )

  it.each(['dataset', 'datasets', '`datasets`'])('%s.<key> is a dataset', (type) => {
    expect(clauses(`${type}.name = 'iris'`)).toEqual([
      { type: 'dataset', key: 'name', comparator: '=', value: 'iris' },
    ])
  })

  it('reads a bare key as an attribute', () => {
    expect(clauses("user_id = 'bob'")).toEqual([
      { type: 'attribute', key: 'user_id', comparator: '=', value: 'bob' },
    ])
  })

  it('keeps dots of an unquoted key', () => {
    expect(clauses("tags.mlflow.runName = 'r'")).toEqual([
      { type: 'tag', key: 'mlflow.runName', comparator: '=', value: 'r' },
    ])
  })

  it('unquotes backticked and double-quoted keys', () => {
    expect(clauses('tags.`mlflow.runName` = \'r\' AND metrics."model class" < 2')).toEqual([
      { type: 'tag', key: 'mlflow.runName', comparator: '=', value: 'r' },
      { type: 'metric', key: 'model class', comparator: '<', value: 2 },
    ])
    expect(clauses('params.`a/b:c d-e` = "x"')).toEqual([
      { type: 'param', key: 'a/b:c d-e', comparator: '=', value: 'x' },
    ])
  })

  it('accepts a backticked type with a backticked key', () => {
    expect(clauses('`tags`.`k e y` != "v"')).toEqual([
      { type: 'tag', key: 'k e y', comparator: '!=', value: 'v' },
    ])
  })

  it('accepts keys with unicode letters', () => {
    expect(clauses("params.größe = 'x'")).toEqual([
      { type: 'param', key: 'größe', comparator: '=', value: 'x' },
    ])
  })

  it.each([
    ['attributes.run_id', 'run_id'],
    ['run_name', 'run_name'],
    ['attributes.run_name', 'run_name'],
    ['`run name`', 'run_name'],
    ['`Run name`', 'run_name'],
    ['`Run Name`', 'run_name'],
    ['attributes.`Run Name`', 'run_name'],
    ['"run name"', 'run_name'],
    ['user_id', 'user_id'],
    ['status', 'status'],
    ['artifact_uri', 'artifact_uri'],
  ])('resolves the string attribute %s to %s', (identifier, key) => {
    expect(clauses(`${identifier} = 'x'`)).toEqual([
      { type: 'attribute', key, comparator: '=', value: 'x' },
    ])
  })

  it.each([
    ['start_time', 'start_time'],
    ['end_time', 'end_time'],
    ['created', 'start_time'],
    ['Created', 'start_time'],
    ['attributes.created', 'start_time'],
  ])('resolves the numeric attribute %s to %s', (identifier, key) => {
    expect(clauses(`${identifier} >= 10`)).toEqual([
      { type: 'attribute', key, comparator: '>=', value: 10 },
    ])
  })

  it.each(['name', 'digest', 'context'])('accepts datasets.%s', (key) => {
    expect(clauses(`datasets.${key} LIKE 'a%'`)).toEqual([
      { type: 'dataset', key, comparator: 'LIKE', value: 'a%' },
    ])
  })
})

describe('parseRunFilter: comparators', () => {
  it.each(['=', '!=', '<', '<=', '>', '>='])('metrics accept %s', (op) => {
    expect(clauses(`metrics.m ${op} 0`)).toEqual([
      { type: 'metric', key: 'm', comparator: op, value: 0 },
    ])
  })

  it.each([
    ['=', '='],
    ['!=', '!='],
    ['LIKE', 'LIKE'],
    ['like', 'LIKE'],
    ['Like', 'LIKE'],
    ['ILIKE', 'ILIKE'],
    ['ilike', 'ILIKE'],
  ])('params and tags accept %s', (written, comparator) => {
    expect(clauses(`params.p ${written} 'v' and tags.t ${written} 'w'`)).toEqual([
      { type: 'param', key: 'p', comparator, value: 'v' },
      { type: 'tag', key: 't', comparator, value: 'w' },
    ])
  })

  it.each([
    ['IS NULL', 'IS NULL'],
    ['is null', 'IS NULL'],
    ['IS NOT NULL', 'IS NOT NULL'],
    ['Is Not Null', 'IS NOT NULL'],
    ['is  not\tnull', 'IS NOT NULL'],
  ])('params and tags accept %s', (written, comparator) => {
    expect(clauses(`params.p ${written} AND tags.t ${written}`)).toEqual([
      { type: 'param', key: 'p', comparator },
      { type: 'tag', key: 't', comparator },
    ])
  })

  it.each(['=', '!=', 'LIKE', 'ILIKE'])('string attributes accept %s', (op) => {
    expect(clauses(`attributes.artifact_uri ${op} 'x'`)).toEqual([
      { type: 'attribute', key: 'artifact_uri', comparator: op, value: 'x' },
    ])
  })

  it.each(['=', '!=', '<', '<=', '>', '>='])('numeric attributes accept %s', (op) => {
    expect(clauses(`attributes.end_time ${op} 5`)).toEqual([
      { type: 'attribute', key: 'end_time', comparator: op, value: 5 },
    ])
  })

  it.each([
    "run_id IN ('a','b')",
    "run_id IN ('a', 'b')",
    "run_id IN ( 'a' , 'b' )",
    "run_id in('a','b')",
    'run_id IN ("a", \'b\')',
    "attributes.run_id IN ('a','b')",
  ])('reads the list in %s', (filter) => {
    expect(clauses(filter)).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'IN', values: ['a', 'b'] },
    ])
  })

  it('reads NOT IN with a single element and any case', () => {
    expect(clauses("run_id not in('a')")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'NOT IN', values: ['a'] },
    ])
  })

  it('drops run ids with upper-case letters, as MLflow does', () => {
    expect(clauses("run_id IN ('abc', 'ABC', 'aBc', 'def1')")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'IN', values: ['abc', 'def1'] },
    ])
    expect(clauses("run_id IN ('ABC')")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'IN', values: [] },
    ])
  })

  it.each(['=', '!=', 'LIKE', 'ILIKE'])('datasets accept %s', (op) => {
    expect(clauses(`datasets.digest ${op} 'abc'`)).toEqual([
      { type: 'dataset', key: 'digest', comparator: op, value: 'abc' },
    ])
  })

  it('datasets accept IN and NOT IN and keep upper-case values', () => {
    expect(
      clauses("datasets.name IN ('Iris', 'wine') AND datasets.context NOT IN ('eval')"),
    ).toEqual([
      { type: 'dataset', key: 'name', comparator: 'IN', values: ['Iris', 'wine'] },
      { type: 'dataset', key: 'context', comparator: 'NOT IN', values: ['eval'] },
    ])
  })
})

describe('parseRunFilter: values', () => {
  it.each([
    ['1', 1],
    ['-1', -1],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1.', 1],
    ['-0.25', -0.25],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['-2.5e+2', -250],
  ])('reads the number %s', (literal, value) => {
    expect(clauses(`metrics.m = ${literal}`)).toEqual([
      { type: 'metric', key: 'm', comparator: '=', value },
    ])
  })

  it('reads numbers without spaces around the comparator', () => {
    expect(clauses('metrics.m>=-1')).toEqual([
      { type: 'metric', key: 'm', comparator: '>=', value: -1 },
    ])
  })

  it('reads single- and double-quoted strings', () => {
    expect(clauses(`params.a = 'x y' AND params.b = "it's"`)).toEqual([
      { type: 'param', key: 'a', comparator: '=', value: 'x y' },
      { type: 'param', key: 'b', comparator: '=', value: "it's" },
    ])
  })

  it('keeps the raw text between the quotes, as MLflow does', () => {
    expect(clauses(`params.a = 'it''s' AND params.b = 'a\\'b'`)).toEqual([
      { type: 'param', key: 'a', comparator: '=', value: "it''s" },
      { type: 'param', key: 'b', comparator: '=', value: "a\\'b" },
    ])
  })

  it('keeps keywords and operators inside strings', () => {
    expect(clauses("tags.t = 'a AND b OR (c) >= 1'")).toEqual([
      { type: 'tag', key: 't', comparator: '=', value: 'a AND b OR (c) >= 1' },
    ])
  })

  it('accepts an empty string', () => {
    expect(clauses("params.p = ''")).toEqual([
      { type: 'param', key: 'p', comparator: '=', value: '' },
    ])
  })

  it('accepts integer-valued exponents for numeric attributes', () => {
    expect(clauses('start_time > 1.7e12')).toEqual([
      { type: 'attribute', key: 'start_time', comparator: '>', value: 1.7e12 },
    ])
  })
})

describe('parseRunFilter: conjunctions and spans', () => {
  it('joins clauses with AND in any case and records spans', () => {
    const filter = "metrics.a > 1 and params.b = 'x' AnD tags.c IS NULL"
    const parsed = parseRunFilter(filter)
    expect(parsed.map((c) => filter.slice(c.span.start, c.span.end))).toEqual([
      'metrics.a > 1',
      "params.b = 'x'",
      'tags.c IS NULL',
    ])
  })

  it('tolerates surrounding and repeated whitespace', () => {
    expect(clauses("  run_id   =   'a'\n AND\n\tstatus != 'FAILED'  ")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: '=', value: 'a' },
      { type: 'attribute', key: 'status', comparator: '!=', value: 'FAILED' },
    ])
  })
})

describe('parseRunFilter: errors', () => {
  it('names the token, its position and what was expected', () => {
    expect(runError('metrics.x >> 1')).toBe(
      "Invalid filter 'metrics.x >> 1' at position 10: unexpected token '>>'; " +
        'expected a comparator (=, !=, <, <=, >, >=)',
    )
  })

  it.each([
    ['metrics.a > 1 OR metrics.b < 2', 14, "unexpected token 'OR'; expected AND", 'OR is not'],
    ['metrics.a > 1 or metrics.b < 2', 14, "unexpected token 'or'", 'OR is not supported'],
    ['(metrics.a > 1)', 0, "unexpected token '('", 'parentheses are not supported'],
    ['metrics.a > 1 AND (params.b = 1)', 18, "unexpected token '('", 'parentheses'],
    ["metrics.a > 1; params.b = 'x'", 13, "unexpected token ';'", 'single statement'],
    ['metrics.a > 1 AND', 17, 'unexpected end of input; expected an identifier', ''],
    ['AND metrics.a > 1', 0, "unexpected token 'AND'; expected an identifier", ''],
    ['metrics.a > 1 metrics.b > 2', 14, "unexpected token 'metrics.b'; expected AND", ''],
    ['metrics.a', 9, 'unexpected end of input; expected a comparator', ''],
    ['metrics.a >', 11, 'unexpected end of input; expected a number', ''],
    ["params.a = 'x", 11, 'unterminated quoted text', ''],
    ['params.`a = 1', 7, 'unterminated quoted text starting with `', ''],
    ['metrics.val-loss > 1', 11, "unexpected character '-'", ''],
    ['metrics.a == 1', 10, "unexpected token '=='", ''],
    ['metrics.a <> 1', 10, "unexpected token '<>'", ''],
    ['metrics.a 1', 10, "unexpected token '1'; expected a comparator", ''],
    ["params.a NOT LIKE 'x'", 13, "unexpected token 'LIKE'; expected IN after NOT", ''],
    ['params.a IS 1', 12, "unexpected token '1'; expected NULL or NOT NULL after IS", ''],
    ['params.a IS NOT 1', 16, "unexpected token '1'; expected NULL after IS NOT", ''],
    ["params.a = 'x' tags.b", 15, 'expected AND or the end of the filter', ''],
    ["tags. = 'x'", 6, "unexpected token '='; expected a key after the dot", ''],
    ["tags.a.`b` = 'x'", 6, "unexpected token '.'", ''],
    ["'a' = 'b'", 0, `unexpected token "'a'"`, 'expected an identifier'],
    ['OR = 1', 0, "unexpected token 'OR'; expected an identifier", ''],
  ])('rejects %j at position %i', (filter, position, detail, hint) => {
    const message = runError(filter)
    expect(message).toContain(`Invalid filter '${filter}' at position ${position}: `)
    expect(message).toContain(detail)
    expect(message).toContain(hint)
  })

  it.each([
    ["attribute.experiment_id = '1'", 10, "Invalid attribute key 'experiment_id' specified"],
    ["attributes.lifecycle_stage = 'active'", 11, "Invalid attribute key 'lifecycle_stage'"],
    ['acc >= 0.94', 0, "Invalid attribute key 'acc' specified. Valid keys are '{'run_id'"],
    ['m.acc >= 0.94', 0, "Invalid entity type 'm'. Valid values are ['metric', 'parameter'"],
    ['METRICS.acc >= 0.94', 0, "Invalid entity type 'METRICS'"],
    ["dataset.status = 'true'", 8, "Invalid dataset key 'status' specified"],
    ['metrics.acc IS NULL', 12, 'IS NULL / IS NOT NULL is only supported for tags and params'],
    ['attributes.status IS NOT NULL', 18, "not for 'attribute' 'status'"],
    ['datasets.name IS NULL', 14, "not for 'dataset' 'name'"],
    ['start_time IS NULL', 11, 'IS NULL / IS NOT NULL is only supported for tags and params'],
    ["metric.model = 'LR'", 15, 'Expected numeric value type for metric. Found'],
    ['params.acc = 5', 13, "Expected a quoted string value for parameter (e.g. 'my-value')"],
    ['tags.acc = 5', 11, "Expected a quoted string value for tag (e.g. 'my-value')"],
    ['attribute.status = 1', 19, 'Expected a quoted string value for attributes. Got value 1'],
    ['datasets.name = 40', 16, 'Expected a quoted string value for dataset attributes'],
    ['params.acc = LR', 13, 'Parameter value is either not quoted or unidentified quote types'],
    ["start_time = 'now'", 13, 'Expected numeric value type for numeric attribute: start_time'],
    ['start_time = 1.5', 13, 'Expected an integer value for numeric attribute: start_time'],
    ["metrics.a LIKE '1'", 10, "Invalid comparator 'LIKE' for metric 'a'"],
    ["metrics.a IN ('1')", 10, "Invalid comparator 'IN' for metric 'a'"],
    ['params.a > 1', 9, "Invalid comparator '>' for parameter 'a'"],
    ["tags.a IN ('x')", 7, "Invalid comparator 'IN' for tag 'a'"],
    ["status < 'x'", 7, "Invalid comparator '<' for attribute 'status'"],
    ["start_time LIKE '1'", 11, "Invalid comparator 'LIKE' for attribute 'start_time'"],
    ["datasets.name > 'x'", 14, "Invalid comparator '>' for dataset 'name'"],
    ["run_name IN ('a')", 12, "Only the 'run_id' attribute supports comparison with a list"],
    ["status NOT IN ('a')", 14, "Only the 'run_id' attribute supports comparison with a list"],
    ['run_id IN ()', 11, 'expected a non-empty list of string values, but got empty list'],
    ["run_id IN 'a'", 10, 'expected a parenthesised list of quoted strings'],
    ['run_id IN (1)', 11, 'expected a quoted string in the list'],
    ["run_id IN ('a' 'b')", 15, "expected ',' or ')'"],
    ["run_id IN ('a',)", 15, 'expected a quoted string in the list'],
    ["run_id IN ('a'", 14, "expected ',' or ')'"],
  ])('rejects %j with MLflow wording at position %i', (filter, position, detail) => {
    const message = runError(filter)
    expect(message).toContain(`Invalid filter '${filter}' at position ${position}: `)
    expect(message).toContain(detail)
  })
})

describe('parseExperimentFilter', () => {
  const experimentClauses = (filter: string): unknown[] =>
    parseExperimentFilter(filter).map(({ span: _span, ...rest }) => rest)

  it('gives no clause for an empty filter', () => {
    expect(parseExperimentFilter(undefined)).toEqual([])
    expect(parseExperimentFilter(' ')).toEqual([])
  })

  it.each(['name', 'attribute.name', 'attribute.`name`', '`name`'])(
    'reads %s as the name attribute',
    (identifier) => {
      expect(experimentClauses(`${identifier} = 'a'`)).toEqual([
        { type: 'attribute', key: 'name', comparator: '=', value: 'a' },
      ])
    },
  )

  it.each(['=', '!=', 'LIKE', 'ILIKE'])('name accepts %s', (op) => {
    expect(experimentClauses(`name ${op} 'a%'`)).toEqual([
      { type: 'attribute', key: 'name', comparator: op, value: 'a%' },
    ])
  })

  it.each(['=', '!=', '<', '<=', '>', '>='])('times accept %s', (op) => {
    expect(experimentClauses(`creation_time ${op} 1 AND last_update_time ${op} 2.5`)).toEqual([
      { type: 'attribute', key: 'creation_time', comparator: op, value: 1 },
      { type: 'attribute', key: 'last_update_time', comparator: op, value: 2.5 },
    ])
  })

  it.each(['tag.`k e y`', 'tag."k e y"', 'tags.`k e y`', 'tags."k e y"'])(
    'reads %s as a tag',
    (identifier) => {
      expect(experimentClauses(`${identifier} ILIKE '%v%'`)).toEqual([
        { type: 'tag', key: 'k e y', comparator: 'ILIKE', value: '%v%' },
      ])
    },
  )

  it('reads IS NULL and IS NOT NULL on tags and ANDed conditions', () => {
    expect(experimentClauses("tags.a IS NULL and tags.b is not null AND name = 'x'")).toEqual([
      { type: 'tag', key: 'a', comparator: 'IS NULL' },
      { type: 'tag', key: 'b', comparator: 'IS NOT NULL' },
      { type: 'attribute', key: 'name', comparator: '=', value: 'x' },
    ])
  })

  it.each([
    ['name IS NULL', 5, 'IS NULL / IS NOT NULL is only supported for tags'],
    ['creation_time IS NOT NULL', 14, "not for 'attribute' 'creation_time'"],
    ["experiment_id = '1'", 0, "Invalid attribute key 'experiment_id' specified. Valid keys are"],
    ['metrics.a > 1', 0, "Invalid entity type 'metrics'. Valid entity types are"],
    ["params.a = 'x'", 0, "Invalid entity type 'params'"],
    ["name IN ('a')", 5, "Invalid comparator 'IN' for attribute 'name'"],
    ["name > 'a'", 5, "Invalid comparator '>' for attribute 'name'"],
    ["creation_time LIKE '1'", 14, "Invalid comparator 'LIKE' for attribute 'creation_time'"],
    ["creation_time = 'x'", 16, 'Expected numeric value type for numeric attribute'],
    ['name = 1', 7, 'Expected a quoted string value for attributes'],
    ['tags.a = 1', 9, 'Expected a quoted string value for tag'],
    ["name = 'a' OR name = 'b'", 11, "unexpected token 'OR'"],
  ])('rejects %j at position %i', (filter, position, detail) => {
    const message = experimentError(filter)
    expect(message).toContain(`Invalid filter '${filter}' at position ${position}: `)
    expect(message).toContain(detail)
  })
})
