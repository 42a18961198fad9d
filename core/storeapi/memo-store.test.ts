import { describe, expect, it } from 'vitest';
import { newMatcher } from '../labels/matcher.ts';
import { MemoryStore } from './memory-store.ts';
import { MemoStore } from './memo-store.ts';
import type { SeriesFrame, SeriesRequest, Store } from './store.ts';

const chunk = (n: number) => ({
  minTime: 0,
  maxTime: 10,
  raw: { encoding: 'XOR' as const, data: new Uint8Array(n) },
});
const inner = new MemoryStore([
  { labels: [{ name: '__name__', value: 'a' }], chunks: [chunk(100)] },
  { labels: [{ name: '__name__', value: 'b' }], chunks: [chunk(100)] },
]);
const req = (name: string, maxTime = 10): SeriesRequest => ({
  minTime: 0,
  maxTime,
  matchers: [newMatcher('=', '__name__', name)],
  maxResolutionWindow: 0,
  aggregates: ['raw'],
  partialResponseStrategy: 'abort',
  skipChunks: false,
});

function counting(store: Store): { store: Store; calls: () => number } {
  let calls = 0;
  return {
    store: {
      info: (s) => store.info(s),
      series: (r, s) => (calls++, store.series(r, s)),
      labelNames: (r, s) => store.labelNames(r, s),
      labelValues: (n, r, s) => store.labelValues(n, r, s),
    },
    calls: () => calls,
  };
}

async function collect(it: AsyncIterable<SeriesFrame>): Promise<SeriesFrame[]> {
  const out = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('MemoStore', () => {
  it('answers a repeated request from memory and a different one from the store', async () => {
    const c = counting(inner);
    const memo = new MemoStore(c.store);
    const first = await collect(memo.series(req('a')));
    expect(await collect(memo.series(req('a')))).toEqual(first);
    expect(c.calls()).toBe(1);
    expect(first).toHaveLength(1);
    await collect(memo.series(req('a', 11)));
    await collect(memo.series(req('b')));
    expect(c.calls()).toBe(3);
  });

  it('keeps nothing past its byte budget', async () => {
    const c = counting(inner);
    const memo = new MemoStore(c.store, { maxBytes: 150 });
    await collect(memo.series(req('a')));
    await collect(memo.series(req('a')));
    expect(c.calls()).toBe(2);
  });
});
