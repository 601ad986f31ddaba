/**
 * Files trackstore writes follow MLflow's bytes: each case is compared with a file MLflow wrote
 * in the fixture (read in place) or with PyYAML's own output for the same value.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatMetricLine, parseMetricLines } from '../../../src/metadata/file/metric-lines.js'
import { dumpYaml, parseYaml } from '../../../src/metadata/file/pyyaml.js'
import { formatPythonFloat, parsePythonFloat } from '../../../src/metadata/file/python-float.js'
import {
  datasetFolderId,
  formatDatasetMeta,
  formatExperimentMeta,
  formatInputMeta,
  formatRunMeta,
  inputFolderId,
  parseDatasetMeta,
  parseExperimentMeta,
  parseRunMeta,
} from '../../../src/metadata/file/records.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const mlruns = path.resolve(repoRoot, '..', 'shared', 'mlflow-reference', 'fixtures', 'mlruns')
const ALPHA = '413096871493188487'
const RUN = '2a2add7492774b64b7456b01dd56f04c'
const DELETED_RUN = '5b6fc3f70d07421889befe8b5207765c'
const TRASHED = '824162680871538473'
const fixture = (...parts: string[]): Promise<string> =>
  fs.readFile(path.join(mlruns, ...parts), 'utf8')

describe('experiment meta.yaml', () => {
  for (const [label, parts, folder] of [
    ['Default', ['0', 'meta.yaml'], '0'],
    ['exp-alpha', [ALPHA, 'meta.yaml'], ALPHA],
  ] as const) {
    it(`writes ${label} byte for byte as MLflow did`, async () => {
      const original = await fixture(...parts)
      const record = parseExperimentMeta(original, folder, parts.join('/'))
      expect(formatExperimentMeta(record)).toBe(original)
    })
  }

  it('writes the tags snapshot MLflow adds on delete (the trashed experiment)', async () => {
    const original = await fixture('.trash', TRASHED, 'meta.yaml')
    const record = parseExperimentMeta(original, TRASHED, 'meta.yaml')
    expect(record.lifecycleStage).toBe('deleted')
    expect(formatExperimentMeta(record, { reason: 'to be deleted' })).toBe(original)
  })

  it('reads a legacy integer experiment_id and a missing lifecycle_stage', () => {
    const legacy = 'artifact_location: /x/7\nexperiment_id: 7\nname: old\n'
    expect(parseExperimentMeta(legacy, '7', 'meta.yaml')).toMatchObject({
      experimentId: '7',
      lifecycleStage: 'active',
      creationTime: null,
    })
  })

  it('refuses an id that is not its folder, naming the file', () => {
    const text = "experiment_id: '1'\nname: x\n"
    expect(() => parseExperimentMeta(text, '2', '/store/2/meta.yaml')).toThrow(
      /\/store\/2\/meta\.yaml/,
    )
  })
})

describe('run meta.yaml', () => {
  it('writes a finished run as MLflow did, adding run_uuid for MLflow 2.x', async () => {
    const original = await fixture(ALPHA, RUN, 'meta.yaml')
    const info = parseRunMeta(original, ALPHA, RUN, 'meta.yaml')
    const written = formatRunMeta({ ...info, runName: info.runName! })
    expect(written).toBe(original.replace('source_name:', `run_uuid: ${RUN}\nsource_name:`))
  })

  it('writes a deleted run with its deleted_time as MLflow did', async () => {
    const original = await fixture(ALPHA, DELETED_RUN, 'meta.yaml')
    const info = parseRunMeta(original, ALPHA, DELETED_RUN, 'meta.yaml')
    expect(info).toMatchObject({ lifecycleStage: 'deleted', status: 'RUNNING' })
    const written = formatRunMeta({ ...info, runName: info.runName! })
    expect(written).toBe(original.replace('source_name:', `run_uuid: ${DELETED_RUN}\nsource_name:`))
  })

  it('writes deleted_time: null when creating, as MLflow does', async () => {
    const original = await fixture(ALPHA, RUN, 'meta.yaml')
    const info = parseRunMeta(original, ALPHA, RUN, 'meta.yaml')
    const created = formatRunMeta({ ...info, runName: 'r', endTime: null }, true)
    expect(created).toContain('deleted_time: null\nend_time: null\n')
  })

  it('reads legacy runs: no run_name, no lifecycle_stage, integer experiment id', () => {
    const legacy = `experiment_id: 3\nrun_uuid: abc\nstart_time: 5\nstatus: 3\nuser_id: u\n`
    expect(parseRunMeta(legacy, '3', 'abc', 'meta.yaml')).toMatchObject({
      runId: 'abc',
      runName: null,
      experimentId: '3',
      lifecycleStage: 'active',
      status: 'FINISHED',
      endTime: null,
    })
  })

  it('refuses a run whose experiment_id is not its folder', () => {
    const text = `experiment_id: '1'\nrun_id: abc\n`
    expect(() => parseRunMeta(text, '2', 'abc', '/s/2/abc/meta.yaml')).toThrow(
      /invalid state.*\/s\/2\/abc\/meta\.yaml|\/s\/2\/abc\/meta\.yaml.*invalid state/,
    )
  })
})

describe('datasets and inputs', () => {
  it('names folders by md5 as MLflow does (FORMATS §2.10 test vectors)', () => {
    expect(datasetFolderId('name', 'digest')).toBe('efa4363cd8179759e8c7f113aebdd340')
    expect(datasetFolderId('name', 'digest_other')).toBe('419804e8e153199481c3e509de1fef8f')
    expect(datasetFolderId('name_other', 'digest')).toBe('bc5dd0841d8898512d988fe3f984313c')
  })

  it('writes dataset and input meta.yaml byte for byte, under the ids MLflow chose', async () => {
    const datasets = await fs.readdir(path.join(mlruns, ALPHA, 'datasets'))
    for (const id of datasets) {
      const original = await fixture(ALPHA, 'datasets', id, 'meta.yaml')
      const dataset = parseDatasetMeta(original, id)
      expect(datasetFolderId(dataset.name, dataset.digest)).toBe(id)
      expect(formatDatasetMeta(dataset)).toBe(original)
    }
    const inputs = await fs.readdir(path.join(mlruns, ALPHA, RUN, 'inputs'))
    expect(inputs).toHaveLength(2)
    for (const inputId of inputs) {
      const original = await fixture(ALPHA, RUN, 'inputs', inputId, 'meta.yaml')
      const meta = parseYaml(original) as { source_id: string; tags: Record<string, string> }
      expect(inputFolderId(meta.source_id, RUN)).toBe(inputId)
      expect(formatInputMeta(meta.source_id, meta.tags)).toBe(original)
    }
  })
})

describe('metric lines', () => {
  const keys = ['loss', 'm1', 'special', 'dup_step', 'big_step', 'neg_step', 'int_like', 'val/acc']
  for (const key of keys) {
    it(`rewrites ${key} line for line as MLflow wrote it`, async () => {
      const original = await fixture(ALPHA, RUN, 'metrics', ...key.split('/'))
      const history = parseMetricLines(original, key, ALPHA, key)
      expect(history.map((metric) => formatMetricLine(metric)).join('')).toBe(original)
    })
  }

  it('prints floats as Python does', () => {
    const cases: [number, string][] = [
      [42, '42.0'],
      [0.1, '0.1'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123456789012345680, '1.2345678901234568e+17'],
      [-0, '-0.0'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [5e-324, '5e-324'],
    ]
    for (const [value, text] of cases) {
      expect(formatPythonFloat(value)).toBe(text)
      expect(Object.is(parsePythonFloat(text), value) || Number.isNaN(value)).toBe(true)
    }
    expect(parsePythonFloat('42')).toBe(42)
    expect(parsePythonFloat('Infinity')).toBe(Infinity)
    expect(parsePythonFloat('abc')).toBeNull()
  })

  it('reads legacy two-field lines with step 0 and keeps the real step of five-field lines', () => {
    const text = '100 1.5\n200 2.5 7 train abc123\n'
    expect(parseMetricLines(text, 'm', '0', 'm')).toEqual([
      { key: 'm', value: 1.5, timestamp: 100, step: 0 },
      {
        key: 'm',
        value: 2.5,
        timestamp: 200,
        step: 7,
        datasetName: 'train',
        datasetDigest: 'abc123',
      },
    ])
    expect(
      formatMetricLine({
        key: 'm',
        value: 2.5,
        timestamp: 200,
        step: 7,
        datasetName: 'train',
        datasetDigest: 'abc123',
      }),
    ).toBe('200 2.5 7 train abc123\n')
  })

  it('reports a line of four fields as MLflow does, naming the file', () => {
    expect(() => parseMetricLines('1 2 3 4\n', 'test', '9', '/s/9/r/metrics/test')).toThrow(
      /Metric 'test' is malformed; persisted metric data contained 4 fields\. Expected 2, 3, or 5 fields\. Experiment id: 9.*\/s\/9\/r\/metrics\/test/,
    )
  })

  it('refuses a dataset name with a space instead of writing an unreadable line', () => {
    expect(() =>
      formatMetricLine({
        key: 'm',
        value: 1,
        timestamp: 1,
        step: 0,
        datasetName: 'a b',
        datasetDigest: 'd',
      }),
    ).toThrow(/whitespace/)
  })
})

describe('YAML quoting and folding as PyYAML (libyaml) writes them', () => {
  // Each expected text is what yaml.safe_dump(..., default_flow_style=False,
  // allow_unicode=True, sort_keys=True) printed with PyYAML 6.0.3 and libyaml.
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'a long plain string, folded after column 80',
      {
        name: 'a fairly long experiment name with many words that PyYAML folds past eighty columns',
      },
      'name: a fairly long experiment name with many words that PyYAML folds past eighty\n' +
        '  columns\n',
    ],
    ['a multi-line string', { name: 'line one\nline two' }, "name: 'line one\n\n  line two'\n"],
    ['an apostrophe', { name: "it's" }, "name: it's\n"],
    ['a YAML 1.1 boolean', { name: 'yes' }, "name: 'yes'\n"],
    ['an integer-like string', { name: '0' }, "name: '0'\n"],
    ['a float-like string', { name: '1.5' }, "name: '1.5'\n"],
    ['an astral character', { name: 'ßñ漢字🙂' }, 'name: "ßñ漢字\\U0001F642"\n'],
    ['a tab', { name: 'a\tb' }, 'name: "a\\tb"\n'],
    ['a leading space', { name: ' x' }, "name: ' x'\n"],
    ['a colon and space', { name: 'a: b' }, "name: 'a: b'\n"],
    ['a comment sign', { name: 'a #b' }, "name: 'a #b'\n"],
    ['an empty string', { name: '' }, "name: ''\n"],
    ['the word null', { name: 'null' }, "name: 'null'\n"],
    ['a date', { name: '2024-01-02' }, "name: '2024-01-02'\n"],
    ['a list marker', { name: '- item' }, "name: '- item'\n"],
    [
      'a key over 128 bytes',
      { tags: { ['k'.repeat(130)]: 'v' } },
      `tags:\n  ? ${'k'.repeat(130)}\n  : v\n`,
    ],
    ['null, [] and {}', { a: null, b: [], c: {} }, 'a: null\nb: []\nc: {}\n'],
  ]
  for (const [label, value, text] of cases) {
    it(`writes ${label}`, () => {
      expect(dumpYaml(value as never)).toBe(text)
      expect(parseYaml(text)).toEqual(value)
    })
  }

  it('reads a U+2028 inside a single-quoted scalar as PyYAML does', () => {
    expect(parseYaml("name: '5\u2028  .5+'\n")).toEqual({ name: '5\u2028.5+' })
  })
})
