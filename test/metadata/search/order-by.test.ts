import { describe, expect, it } from 'vitest'
import { isTrackstoreError } from '../../../src/core/errors.js'
import {
  parseExperimentOrderBy,
  parseRunOrderBy,
  withDefaultExperimentOrder,
  withDefaultRunOrder,
} from '../../../src/metadata/search/index.js'

function errorOf(parse: () => unknown): string {
  try {
    parse()
  } catch (error) {
    expect(isTrackstoreError(error, 'INVALID_PARAMETER_VALUE')).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected the parse to fail')
}

describe('parseRunOrderBy', () => {
  it('gives no key for an absent or empty list', () => {
    expect(parseRunOrderBy(undefined)).toEqual([])
    expect(parseRunOrderBy([])).toEqual([])
  })

  it.each([
    ['metrics.acc', { type: 'metric', key: 'acc', ascending: true }],
    ['metric.acc ASC', { type: 'metric', key: 'acc', ascending: true }],
    ['metrics.acc DESC', { type: 'metric', key: 'acc', ascending: false }],
    ['metrics.acc desc', { type: 'metric', key: 'acc', ascending: false }],
    ['metrics.acc Asc', { type: 'metric', key: 'acc', ascending: true }],
    ['  metrics.acc   DESC  ', { type: 'metric', key: 'acc', ascending: false }],
    ['params.lr', { type: 'param', key: 'lr', ascending: true }],
    ['parameters.lr DESC', { type: 'param', key: 'lr', ascending: false }],
    ['tags.`mlflow.runName` DESC', { type: 'tag', key: 'mlflow.runName', ascending: false }],
    ['tags."k e y"', { type: 'tag', key: 'k e y', ascending: true }],
    ['metrics.`model class` DESC', { type: 'metric', key: 'model class', ascending: false }],
    ['`metrics`.`a b`', { type: 'metric', key: 'a b', ascending: true }],
    ['tag.mlflow.user', { type: 'tag', key: 'mlflow.user', ascending: true }],
    ['attributes.start_time', { type: 'attribute', key: 'start_time', ascending: true }],
    ['start_time DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['created', { type: 'attribute', key: 'start_time', ascending: true }],
    ['Created DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['end_time', { type: 'attribute', key: 'end_time', ascending: true }],
    ['run_id', { type: 'attribute', key: 'run_id', ascending: true }],
    ['run_name', { type: 'attribute', key: 'run_name', ascending: true }],
    ['`Run name` DESC', { type: 'attribute', key: 'run_name', ascending: false }],
    ['attr.`Run Name`', { type: 'attribute', key: 'run_name', ascending: true }],
    ['user_id', { type: 'attribute', key: 'user_id', ascending: true }],
    ['status', { type: 'attribute', key: 'status', ascending: true }],
    ['artifact_uri', { type: 'attribute', key: 'artifact_uri', ascending: true }],
  ])('parses %j', (entry, key) => {
    expect(parseRunOrderBy([entry])).toEqual([key])
  })

  it('keeps the order of several entries', () => {
    expect(parseRunOrderBy(['start_time ASC', 'end_time DESC'])).toEqual([
      { type: 'attribute', key: 'start_time', ascending: true },
      { type: 'attribute', key: 'end_time', ascending: false },
    ])
  })

  it.each([
    ['attributes.experiment_id', 11, "Invalid attribute key 'experiment_id' specified"],
    ['lifecycle_stage', 0, "Invalid attribute key 'lifecycle_stage' specified"],
    ['datasets.name', 0, "Invalid order_by entity type 'dataset'"],
    ['m.acc', 0, "Invalid entity type 'm'"],
    ['metrics.acc DOWN', 12, "unexpected token 'DOWN'; expected ASC, DESC or the end"],
    ['metrics.acc DESC ASC', 17, "unexpected token 'ASC'; expected the end of the clause"],
    ['metrics.a b', 10, "unexpected token 'b'"],
    ['', 0, 'unexpected end of input; expected an identifier'],
    ['DESC', 0, "Invalid attribute key 'DESC' specified"],
    ['ASC DESC', 0, "Invalid attribute key 'ASC' specified"],
    ['metrics.`a', 8, 'unterminated quoted text'],
  ])('rejects %j at position %i', (entry, position, detail) => {
    const message = errorOf(() => parseRunOrderBy([entry]))
    expect(message).toContain(`Invalid order_by clause '${entry}' at position ${position}: `)
    expect(message).toContain(detail)
  })

  it.each([
    [['metrics.a', 'metrics.a DESC']],
    [['start_time', 'created DESC']],
    [['`run name`', 'run_name']],
    [['tags.`x`', 'tag.x']],
  ])('rejects the duplicate fields in %j', (orderBy) => {
    expect(errorOf(() => parseRunOrderBy(orderBy))).toBe(
      `\`order_by\` contains duplicate fields: [${orderBy.map((e) => `'${e}'`).join(', ')}]`,
    )
  })

  it('allows the same key under different types', () => {
    expect(parseRunOrderBy(['metrics.a', 'params.a', 'tags.a'])).toHaveLength(3)
  })
})

describe('withDefaultRunOrder', () => {
  it('orders by start_time DESC then run_id ASC by default', () => {
    expect(withDefaultRunOrder([])).toEqual([
      { type: 'attribute', key: 'start_time', ascending: false },
      { type: 'attribute', key: 'run_id', ascending: true },
    ])
  })

  it('appends the tie-breakers after the user keys', () => {
    expect(withDefaultRunOrder(parseRunOrderBy(['metrics.a DESC']))).toEqual([
      { type: 'metric', key: 'a', ascending: false },
      { type: 'attribute', key: 'start_time', ascending: false },
      { type: 'attribute', key: 'run_id', ascending: true },
    ])
  })

  it('does not add start_time when it is already ordered', () => {
    expect(withDefaultRunOrder(parseRunOrderBy(['created ASC']))).toEqual([
      { type: 'attribute', key: 'start_time', ascending: true },
      { type: 'attribute', key: 'run_id', ascending: true },
    ])
  })

  it('does not add run_id when it is already ordered', () => {
    expect(withDefaultRunOrder(parseRunOrderBy(['run_id DESC']))).toEqual([
      { type: 'attribute', key: 'run_id', ascending: false },
      { type: 'attribute', key: 'start_time', ascending: false },
    ])
  })

  it('does not treat a tag named start_time as the attribute', () => {
    expect(withDefaultRunOrder(parseRunOrderBy(['tags.start_time']))).toHaveLength(3)
  })
})

describe('parseExperimentOrderBy', () => {
  it.each([
    ['name', { type: 'attribute', key: 'name', ascending: true }],
    ['name DESC', { type: 'attribute', key: 'name', ascending: false }],
    ['attribute.name asc', { type: 'attribute', key: 'name', ascending: true }],
    ['`name` DESC', { type: 'attribute', key: 'name', ascending: false }],
    ['experiment_id', { type: 'attribute', key: 'experiment_id', ascending: true }],
    ['creation_time DESC', { type: 'attribute', key: 'creation_time', ascending: false }],
    ['last_update_time', { type: 'attribute', key: 'last_update_time', ascending: true }],
  ])('parses %j', (entry, key) => {
    expect(parseExperimentOrderBy([entry])).toEqual([key])
  })

  it('gives no key for an absent list', () => {
    expect(parseExperimentOrderBy(undefined)).toEqual([])
  })

  it.each([
    ['tags.a', 0, 'Invalid order_by entity: tag'],
    ['metrics.a', 0, 'Invalid order_by entity: metrics'],
    ['artifact_location', 0, "Invalid attribute key 'artifact_location' specified"],
    ['name sideways', 5, "unexpected token 'sideways'"],
  ])('rejects %j at position %i', (entry, position, detail) => {
    const message = errorOf(() => parseExperimentOrderBy([entry]))
    expect(message).toContain(`Invalid order_by clause '${entry}' at position ${position}: `)
    expect(message).toContain(detail)
  })

  it('rejects a field listed twice', () => {
    expect(errorOf(() => parseExperimentOrderBy(['name', 'name DESC']))).toBe(
      "`order_by` contains duplicate fields: ['name', 'name DESC']",
    )
  })
})

describe('withDefaultExperimentOrder', () => {
  it('orders by creation_time DESC, experiment_id ASC by default', () => {
    expect(withDefaultExperimentOrder([])).toEqual([
      { type: 'attribute', key: 'creation_time', ascending: false },
      { type: 'attribute', key: 'experiment_id', ascending: true },
    ])
  })

  it('appends experiment_id DESC when the user keys lack it', () => {
    expect(withDefaultExperimentOrder(parseExperimentOrderBy(['name']))).toEqual([
      { type: 'attribute', key: 'name', ascending: true },
      { type: 'attribute', key: 'experiment_id', ascending: false },
    ])
  })

  it('keeps user keys that already order experiment_id', () => {
    expect(
      withDefaultExperimentOrder(parseExperimentOrderBy(['experiment_id ASC', 'name'])),
    ).toEqual([
      { type: 'attribute', key: 'experiment_id', ascending: true },
      { type: 'attribute', key: 'name', ascending: true },
    ])
  })
})
