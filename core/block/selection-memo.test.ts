import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import type { SeriesEntry } from '../tsdb/index-reader.ts';
import { SelectionMemo, matchersKey } from './selection-memo.ts';

const entry = (ref: number, value = 'x'.repeat(100)): SeriesEntry => ({
  ref,
  labels: labelsFrom({ __name__: 'up', job: value }),
  chunks: [{ ref: ref * 8, mint: 0, maxt: 1000 }],
});

describe('SelectionMemo', () => {
  it('keeps refs and series entries per block', () => {
    const memo = new SelectionMemo(1 << 20);
    const refs = Uint32Array.of(1, 2, 3);
    memo.setRefs('a', 'k', refs);
    memo.setSeries('a', entry(2));
    expect(memo.refs('a', 'k')).toBe(refs);
    expect(memo.refs('b', 'k')).toBeUndefined();
    expect(memo.refs('a', 'other')).toBeUndefined();
    expect(memo.series('a', 2)?.ref).toBe(2);
    expect(memo.series('a', 3)).toBeUndefined();
    expect(memo.series('b', 2)).toBeUndefined();
    expect(memo.bytes).toBeGreaterThan(refs.byteLength);
  });

  it('keeps a selection as wide as it admits whole, even of series with many labels', () => {
    const memo = new SelectionMemo(8 << 20);
    expect(memo.maxSelection).toBe(1024);
    expect(new SelectionMemo(1 << 20).maxSelection).toBe(128);
    // 15 labels, 4 chunks: a Kubernetes target's series.
    const wide = (ref: number): SeriesEntry => ({
      ref,
      labels: labelsFrom(
        Object.fromEntries(
          Array.from({ length: 15 }, (_, i) => [`label_${i}`, `value-${ref}-${i}`]),
        ),
      ),
      chunks: Array.from({ length: 4 }, (_, i) => ({ ref: ref * 64 + i, mint: i, maxt: i + 1 })),
    });
    memo.setRefs('a', 'k', Uint32Array.of(1));
    for (let ref = 0; ref < memo.maxSelection; ref++) memo.setSeries('a', wide(ref));
    // Had the block outgrown its share, all of its answers would have gone.
    expect(memo.refs('a', 'k')).toBeDefined();
    expect(memo.series('a', 0)?.ref).toBe(0);
    expect(memo.series('a', memo.maxSelection - 1)).toBeDefined();
  });

  it('stays within its budget, dropping the least recently used block first', () => {
    const memo = new SelectionMemo(4000);
    for (const b of ['a', 'b', 'c']) memo.setSeries(b, entry(1));
    const three = memo.bytes;
    expect(three).toBeLessThanOrEqual(4000);
    // 'a' used again: 'b' is now the least recently used.
    expect(memo.refs('a', 'none')).toBeUndefined();
    let added = 0;
    for (; memo.series('b', 1) !== undefined && added < 100; added++) {
      memo.setSeries(`new-${added}`, entry(1));
      expect(memo.bytes).toBeLessThanOrEqual(4000);
    }
    // 'b' went first, while 'a', used since, is still there.
    expect(memo.series('b', 1)).toBeUndefined();
    expect(memo.series('a', 1)).toBeDefined();
    expect(added).toBeLessThan(10);
  });

  it('does not let one block take more than a quarter of the budget', () => {
    const memo = new SelectionMemo(8000);
    memo.setSeries('small', entry(1));
    for (let ref = 0; ref < 50; ref++) memo.setSeries('huge', entry(ref));
    expect(memo.series('small', 1)).toBeDefined();
    expect(memo.bytes).toBeLessThanOrEqual(2000 + 1000);
  });

  it('keeps an exact copy of a view, and nothing larger than a quarter of the budget', () => {
    const memo = new SelectionMemo(64 * 1024);
    const big = new Uint32Array(8192);
    big.set([5, 9, 12]);
    memo.setRefs('a', 'view', big.subarray(0, 3));
    const kept = memo.refs('a', 'view')!;
    expect([...kept]).toEqual([5, 9, 12]);
    // The 32 KiB list behind the view is not what the memo holds.
    expect(kept.buffer.byteLength).toBe(12);
    memo.setRefs('a', 'whole', Uint32Array.of(1, 2));
    expect(memo.refs('a', 'whole')!.buffer.byteLength).toBe(8);
    // Over a quarter: not kept, and the block's other answers stay.
    memo.setRefs('a', 'huge', new Uint32Array(5000));
    expect(memo.refs('a', 'huge')).toBeUndefined();
    expect(memo.refs('a', 'view')).toBeDefined();
  });

  it('forgets blocks that are gone', () => {
    const memo = new SelectionMemo(1 << 20);
    memo.setSeries('a', entry(1));
    memo.setRefs('b', 'k', Uint32Array.of(1));
    memo.retain(new Set(['b']));
    expect(memo.series('a', 1)).toBeUndefined();
    expect(memo.refs('b', 'k')).toBeDefined();
    memo.drop('b');
    expect(memo.bytes).toBe(0);
  });

  it('keys a set of matchers the same in any order, and tells the types apart', () => {
    const a = { type: '=', name: 'job', value: 'x' };
    const b = { type: '=~', name: 'instance', value: 'a|b' };
    expect(matchersKey([a, b])).toBe(matchersKey([b, a]));
    expect(matchersKey([a])).not.toBe(matchersKey([{ ...a, type: '!=' }]));
    expect(matchersKey([a])).not.toBe(matchersKey([{ ...a, value: 'y' }]));
  });
});
