import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import {
  MISS_TTL_MS,
  MemoryResultsCache,
  MissMemo,
  TieredResultsCache,
  entryBytes,
  type Extent,
} from './results-cache.ts';

function extent(points: number, name = 'a'): Extent {
  const t = Float64Array.from({ length: points }, (_, i) => i * 1000);
  return {
    start: 0,
    end: (points - 1) * 1000,
    series: [{ metric: labelsFrom({ name }), t, v: t }],
  };
}

/** A shared cache that counts its reads. */
class CountingCache extends MemoryResultsCache {
  gets = 0;
  override async getExtent(key: string): Promise<Extent | undefined> {
    this.gets++;
    return super.getExtent(key);
  }
  override async getBody(key: string): Promise<string | undefined> {
    this.gets++;
    return super.getBody(key);
  }
}

describe('results cache in memory', () => {
  /** What the frontend does: a key is asked for, then stored when it was missing or grew. */
  async function askThenPut(
    mem: MemoryResultsCache,
    key: string,
    points: number,
  ): Promise<boolean> {
    const hit = (await mem.getExtent(key)) !== undefined;
    if (!hit) await mem.putExtent(key, extent(points, key));
    return hit;
  }

  it('keeps at most maxBytes, dropping the least recently used entries first', async () => {
    const one = entryBytes(extent(1000));
    const mem = new MemoryResultsCache({ maxBytes: 3 * one });
    for (const k of ['a', 'b', 'c']) await askThenPut(mem, k, 1000);
    expect(mem.lru.bytes).toBe(3 * one);
    // Reading a makes b the least recently used: d, asked for more often than b, pushes b out.
    expect(await mem.getExtent('a')).toBeDefined();
    await mem.getExtent('d');
    await askThenPut(mem, 'd', 1000);
    expect(await mem.getExtent('b')).toBeUndefined();
    expect((await Promise.all(['a', 'c', 'd'].map((k) => mem.getExtent(k)))).every(Boolean)).toBe(
      true,
    );
    expect(mem.lru.bytes).toBeLessThanOrEqual(3 * one);
    // Replacing an entry counts its new size only; an entry over the whole budget is not kept.
    await mem.putExtent('a', extent(10, 'a'));
    expect(mem.lru.bytes).toBe(2 * one + entryBytes(extent(10)));
    await mem.putExtent('huge', extent(4000));
    expect(await mem.getExtent('huge')).toBeUndefined();
    expect(await mem.getExtent('c')).toBeDefined();
  });

  it('keeps part of a refresh cycle larger than its budget instead of none of it', async () => {
    const one = entryBytes(extent(1000, 'p1'));
    const mem = new MemoryResultsCache({ maxBytes: 3 * one });
    const keys = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const k of keys) await askThenPut(mem, k, 1000);
    let hits = 0;
    for (let refresh = 0; refresh < 10; refresh++)
      for (const k of keys) if (await askThenPut(mem, k, 1000)) hits++;
    // Least-recently-used alone: each put pushes out the key asked for next, 0 hits of 50.
    expect(hits).toBe(30);
    expect(mem.lru.bytes).toBeLessThanOrEqual(3 * one);
  });

  it('keeps series on the same steps with one time column, and copies of the values', async () => {
    const steps = (): Float64Array => Float64Array.from({ length: 100 }, (_, i) => i * 1000);
    const e: Extent = {
      start: 0,
      end: 99_000,
      series: ['a', 'b', 'c'].map((name) => ({
        metric: labelsFrom({ name }),
        t: steps(),
        v: steps(),
      })),
    };
    const mem = new MemoryResultsCache();
    await mem.getExtent('k');
    await mem.putExtent('k', e);
    const got = (await mem.getExtent('k'))!;
    expect(got.series[1]!.t).toBe(got.series[0]!.t);
    expect(got.series[2]!.t).toBe(got.series[0]!.t);
    expect([...got.series[2]!.v]).toEqual([...e.series[2]!.v]);
    expect(got.series[0]!.v).not.toBe(e.series[0]!.v);
    // Three time columns of 800 bytes counted as one.
    expect(mem.lru.bytes).toBe(entryBytes(e) - 2 * 800);
    expect(mem.lru.bytes).toBe(entryBytes(got));
  });

  it('answers from memory first, fills memory from the shared cache, and writes through to both', async () => {
    const shared = new CountingCache();
    await shared.putExtent('old', extent(5));
    await shared.putBody('labels', '{"status":"success"}');
    const tiered = new TieredResultsCache(new MemoryResultsCache({ maxBytes: 1 << 20 }), shared);
    expect((await tiered.getExtent('old'))?.end).toBe(4000);
    expect(await tiered.getBody('labels')).toBe('{"status":"success"}');
    expect(shared.gets).toBe(2);
    // Again: from memory, the shared cache is not asked.
    expect((await tiered.getExtent('old'))?.end).toBe(4000);
    expect(await tiered.getBody('labels')).toBe('{"status":"success"}');
    expect(shared.gets).toBe(2);
    await tiered.putExtent('new', extent(7));
    expect((await shared.getExtent('new'))?.end).toBe(6000);
    expect((await tiered.memory.getExtent('new'))?.end).toBe(6000);
    // A miss in both is a miss.
    expect(await tiered.getExtent('none')).toBeUndefined();
  });

  it('asks the shared cache for a key it lacked once per MISS_TTL_MS, and at once after storing it', async () => {
    const shared = new CountingCache();
    let now = 1_000_000;
    const misses = new MissMemo();
    // Each request makes its own TieredResultsCache; the memo is the isolate's.
    const tiered = (): TieredResultsCache =>
      new TieredResultsCache(new MemoryResultsCache({ maxBytes: 0 }), shared, misses, () => now);
    expect(await tiered().getExtent('tail')).toBeUndefined();
    expect(await tiered().getBody('labels')).toBeUndefined();
    expect(shared.gets).toBe(2);
    now += MISS_TTL_MS - 1;
    expect(await tiered().getExtent('tail')).toBeUndefined();
    expect(await tiered().getBody('labels')).toBeUndefined();
    expect(shared.gets).toBe(2);
    // An extent and a body under the same key are different entries.
    expect(await tiered().getBody('tail')).toBeUndefined();
    expect(shared.gets).toBe(3);
    // Stored by this isolate: found again at once (memory keeps nothing here: maxBytes 0).
    await tiered().putExtent('tail', extent(3));
    expect((await tiered().getExtent('tail'))?.end).toBe(2000);
    expect(shared.gets).toBe(4);
    // Stored by another isolate: found once the memo expires.
    await shared.putBody('labels', 'x');
    expect(await tiered().getBody('labels')).toBeUndefined();
    now += 1;
    expect(await tiered().getBody('labels')).toBe('x');
    expect(shared.gets).toBe(5);
  });

  it('remembers at most maxKeys misses, forgetting the oldest first', () => {
    const memo = new MissMemo({ maxKeys: 3, ttlMs: 10 });
    for (const k of ['a', 'b', 'c', 'd']) memo.add(k, 0);
    expect(memo.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((k) => memo.has(k, 5))).toEqual([false, true, true, true]);
    expect(memo.has('b', 10)).toBe(false);
    expect(memo.size).toBe(2);
  });
});
