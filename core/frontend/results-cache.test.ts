import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import {
  MemoryResultsCache,
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
  it('keeps at most maxBytes, dropping the least recently used entries first', async () => {
    const one = entryBytes(extent(1000));
    const mem = new MemoryResultsCache({ maxBytes: 3 * one });
    for (const k of ['a', 'b', 'c']) await mem.putExtent(k, extent(1000, k));
    expect(mem.bytes).toBe(3 * one);
    // Reading a makes b the least recently used: the fourth entry pushes b out.
    expect(await mem.getExtent('a')).toBeDefined();
    await mem.putExtent('d', extent(1000, 'd'));
    expect(await mem.getExtent('b')).toBeUndefined();
    expect((await Promise.all(['a', 'c', 'd'].map((k) => mem.getExtent(k)))).every(Boolean)).toBe(
      true,
    );
    expect(mem.bytes).toBeLessThanOrEqual(3 * one);
    // Replacing an entry counts its new size only; an entry over the whole budget is not kept.
    await mem.putExtent('a', extent(10, 'a'));
    expect(mem.bytes).toBe(2 * one + entryBytes(extent(10)));
    await mem.putExtent('huge', extent(4000));
    expect(await mem.getExtent('huge')).toBeUndefined();
    expect(await mem.getExtent('c')).toBeDefined();
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
});
