/** Params and run tags: FORMATS.md §8 items 52–54, 58–60 and §5 key rules. */
import { describe, expect, it } from 'vitest'
import {
  asRecord,
  createExperiment,
  createRun,
  expectError,
  useStore,
  type StoreFactory,
  type StoreHandle,
} from './harness.js'

const BAD_KEYS = ['', 'a//b', './a', 'a/', '/a', '..', 'bad*char', 'x'.repeat(251)]

function runMaker(handle: () => StoreHandle): () => Promise<string> {
  let experimentId = ''
  return async () => {
    const { store } = handle()
    if (experimentId === '') experimentId = await createExperiment(store, 'params-tags')
    return (await createRun(store, experimentId)).info.runId
  }
}

export function describeParamsAndTags(factory: StoreFactory): void {
  describe('params', () => {
    const handle = useStore(factory)
    const newRun = runMaker(handle)

    it('stores 6000 characters verbatim and truncates longer values (item 52)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const exact = 'a'.repeat(6000)
      await store.logParam(runId, { key: 'exact', value: exact })
      await store.logParam(runId, { key: 'long', value: 'b'.repeat(6001) })
      const params = asRecord((await store.getRun(runId)).data.params)
      expect(params.exact).toBe(exact)
      expect(params.long).toBe('b'.repeat(6000))
    })

    it('accepts empty, multi-line and Unicode values and unusual keys (item 53)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const values = {
        empty: '',
        multi: 'line 1\nline 2\r\n\tindented',
        unicode: 'ßñ漢字🙂',
        'weird name/with slash': 'x',
        'colon:key-1.0': 'y',
      }
      for (const [key, value] of Object.entries(values)) await store.logParam(runId, { key, value })
      const params = (await store.getRun(runId)).data.params
      expect(params.map((p) => p.key)).toEqual([
        'colon:key-1.0',
        'empty',
        'multi',
        'unicode',
        'weird name/with slash',
      ])
      expect(asRecord(params)).toEqual(values)
    })

    it('allows the same value again and refuses a change (item 54)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logParam(runId, { key: 'k', value: 'v1' })
      await store.logParam(runId, { key: 'k', value: 'v1' })
      await expectError(
        store.logParam(runId, { key: 'k', value: 'v2' }),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
        "key='k'",
        "value='v1'",
        runId,
        "'v2'",
      )
      expect((await store.getRun(runId)).data.params).toEqual([{ key: 'k', value: 'v1' }])
    })

    it('refuses malformed keys (§5)', async () => {
      const { store } = handle()
      const runId = await newRun()
      for (const key of BAD_KEYS) {
        await expectError(store.logParam(runId, { key, value: 'v' }), 'INVALID_PARAMETER_VALUE')
      }
      expect((await store.getRun(runId)).data.params).toEqual([])
    })
  })

  describe('run tags', () => {
    const handle = useStore(factory)
    const newRun = runMaker(handle)

    it('overwrites and round-trips multi-line and astral values (item 58)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.setTag(runId, { key: 'k', value: 'v1' })
      await store.setTag(runId, { key: 'k', value: 'v2' })
      await store.setTag(runId, { key: 'multi', value: 'a\nb\n\tc 𝄞🙂' })
      await store.setTag(runId, { key: 'with space/and slash', value: 's' })
      const tags = asRecord((await store.getRun(runId)).data.tags)
      expect(tags).toMatchObject({ k: 'v2', multi: 'a\nb\n\tc 𝄞🙂', 'with space/and slash': 's' })
    })

    it('truncates values over 8000 characters where the store checks them (item 59)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.setTag(runId, { key: 'exact', value: 'e'.repeat(8000) })
      await store.setTag(runId, { key: 'long', value: 'l'.repeat(8001) })
      const tags = asRecord((await store.getRun(runId)).data.tags)
      expect(tags.exact).toBe('e'.repeat(8000))
      const expected = store.capabilities.checksRunTagValueLength ? 8000 : 8001
      expect(tags.long).toBe('l'.repeat(expected))
    })

    it('deletes one run tag only and reports a missing one (item 60)', async () => {
      const { store } = handle()
      const first = await newRun()
      const second = await newRun()
      await store.setTag(first, { key: 'shared', value: '1' })
      await store.setTag(second, { key: 'shared', value: '2' })
      await store.deleteTag(first, 'shared')
      expect(asRecord((await store.getRun(first)).data.tags).shared).toBeUndefined()
      expect(asRecord((await store.getRun(second)).data.tags).shared).toBe('2')
      await expectError(
        store.deleteTag(first, 'shared'),
        'RESOURCE_DOES_NOT_EXIST',
        'No tag with name: shared',
      )
      await expectError(
        store.deleteTag('0123456789abcdef0123456789abcdef', 'shared'),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })

    it('refuses malformed keys (§5)', async () => {
      const { store } = handle()
      const runId = await newRun()
      for (const key of BAD_KEYS) {
        await expectError(store.setTag(runId, { key, value: 'v' }), 'INVALID_PARAMETER_VALUE')
      }
    })
  })

  describe('params and tags with truncation off', () => {
    const handle = useStore(factory, { truncateLongValues: false })
    const newRun = runMaker(handle)

    it('refuses a param value over 6000 characters (item 52)', async () => {
      const { store } = handle()
      const runId = await newRun()
      await store.logParam(runId, { key: 'exact', value: 'a'.repeat(6000) })
      await expectError(
        store.logParam(runId, { key: 'long', value: 'b'.repeat(6001) }),
        'INVALID_PARAMETER_VALUE',
        /exceed/,
        '6000',
      )
      await expectError(
        store.logBatch(runId, { params: [{ key: 'batch', value: 'b'.repeat(6001) }] }),
        'INVALID_PARAMETER_VALUE',
        '6000',
      )
      expect((await store.getRun(runId)).data.params.map((p) => p.key)).toEqual(['exact'])
    })

    it('refuses a run tag value over 8000 characters where checked (item 59)', async () => {
      const { store } = handle()
      const runId = await newRun()
      const long = 'l'.repeat(8001)
      if (store.capabilities.checksRunTagValueLength) {
        await expectError(
          store.setTag(runId, { key: 'long', value: long }),
          'INVALID_PARAMETER_VALUE',
          /exceed/,
          '8000',
        )
        expect(asRecord((await store.getRun(runId)).data.tags).long).toBeUndefined()
      } else {
        await store.setTag(runId, { key: 'long', value: long })
        expect(asRecord((await store.getRun(runId)).data.tags).long).toBe(long)
      }
    })
  })
}
