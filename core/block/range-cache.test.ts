import { describe, expect, it } from 'vitest';
import { MemoryRangeCache } from './range-cache.ts';

describe('MemoryRangeCache', () => {
  it('lets a placed range in past ranges asked for more often; an unasked one it turns away', async () => {
    const cache = new MemoryRangeCache(400);
    for (const k of ['a', 'b', 'c', 'd']) {
      await cache.get(k);
      await cache.put(k, new Uint8Array(100));
    }
    await cache.put('unasked', new Uint8Array(100));
    expect(await cache.get('unasked')).toBeUndefined();
    await cache.put('index', new Uint8Array(100), { local: true, placed: true });
    expect(await cache.get('index')).toBeDefined();
    expect(cache.lru.bytes).toBe(400);
    // A range over a quarter of the budget is never kept.
    await cache.get('big');
    await cache.put('big', new Uint8Array(101), { placed: true });
    expect(await cache.get('big')).toBeUndefined();
  });
});
