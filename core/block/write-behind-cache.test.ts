import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RangeCache } from './range-cache.ts';
import { WriteBehindRangeCache, writesSettled } from './write-behind-cache.ts';

/** A shared cache that records its writes, in order; `fail` names keys whose write rejects. */
function recordingCache(fail: ReadonlySet<string> = new Set()) {
  const stored = new Map<string, Uint8Array>();
  const order: string[] = [];
  const cache: RangeCache = {
    async get(key) {
      return stored.get(key);
    },
    async put(key, bytes) {
      order.push(key);
      if (fail.has(key)) throw new Error(`cache refused ${key}`);
      stored.set(key, bytes);
    },
  };
  return { cache, stored, order };
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('WriteBehindRangeCache', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes nothing while reads go on, then everything once they are quiet', async () => {
    const shared = recordingCache();
    const c = new WriteBehindRangeCache(shared.cache, { quietMs: 100 });
    await c.put('a', bytes(10));
    // Reads every 60 ms keep the queue waiting, however long they go on.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(60);
      expect(await c.get(`miss-${i}`)).toBeUndefined();
      await c.put(`k${i}`, bytes(4, i));
    }
    expect(shared.order).toEqual([]);
    expect(c.queuedBytes).toBe(50);
    // A queued range is answered from the queue.
    expect(await c.get('k3')).toEqual(bytes(4, 3));
    await vi.advanceTimersByTimeAsync(100);
    expect(shared.order).toEqual(['a', ...Array.from({ length: 10 }, (_, i) => `k${i}`)]);
    expect(shared.stored.get('k7')).toEqual(bytes(4, 7));
    expect(c.written).toBe(11);
    expect(c.queuedBytes).toBe(0);
  });

  it('waits while reads answered in front of it (touch) go on', async () => {
    const shared = recordingCache();
    const c = new WriteBehindRangeCache(shared.cache, { quietMs: 100 });
    await c.put('a', bytes(10));
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(70);
      c.touch();
    }
    expect(shared.order).toEqual([]);
    await vi.advanceTimersByTimeAsync(99);
    expect(shared.order).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(shared.order).toEqual(['a']);
  });

  it('writes the oldest at once when the queue would pass its bound', async () => {
    const shared = recordingCache();
    const c = new WriteBehindRangeCache(shared.cache, { quietMs: 100, maxQueuedBytes: 25 });
    for (const k of ['a', 'b', 'c', 'd']) await c.put(k, bytes(10));
    await vi.advanceTimersByTimeAsync(0);
    expect(shared.order).toEqual(['a', 'b']);
    expect(c.queuedBytes).toBe(20);
    await vi.advanceTimersByTimeAsync(100);
    expect(shared.order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the last bytes of a key put twice, once', async () => {
    const shared = recordingCache();
    const c = new WriteBehindRangeCache(shared.cache, { quietMs: 10 });
    await c.put('a', bytes(10, 1));
    await c.put('a', bytes(3, 2));
    expect(c.queuedBytes).toBe(3);
    await vi.advanceTimersByTimeAsync(10);
    expect(shared.order).toEqual(['a']);
    expect(shared.stored.get('a')).toEqual(bytes(3, 2));
  });

  it('settles after the writes, counting failures without throwing', async () => {
    const shared = recordingCache(new Set(['bad']));
    const c = new WriteBehindRangeCache(shared.cache, { quietMs: 50 });
    await c.put('good', bytes(1));
    await c.put('bad', bytes(1));
    let settled = false;
    void c.settled().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(49);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect([c.written, c.failed]).toEqual([1, 1]);
    // Nothing queued: settled at once.
    let again = false;
    await c.settled().then(() => (again = true));
    expect(again).toBe(true);
  });

  it("lets an answer wait for every cache's queued writes in the isolate", async () => {
    const one = recordingCache();
    const two = recordingCache();
    const a = new WriteBehindRangeCache(one.cache, { quietMs: 50 });
    const b = new WriteBehindRangeCache(two.cache, { quietMs: 80 });
    await a.put('x', bytes(1));
    await b.put('y', bytes(1));
    let settled = false;
    void writesSettled().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(50);
    expect([one.order, settled]).toEqual([['x'], false]);
    await vi.advanceTimersByTimeAsync(30);
    expect([two.order, settled]).toEqual([['y'], true]);
  });

  it('never writes a local put to the shared cache', async () => {
    const shared = recordingCache();
    const c = new WriteBehindRangeCache(shared.cache, { quietMs: 10 });
    await c.put('index', bytes(100), { local: true });
    await vi.advanceTimersByTimeAsync(20);
    expect(shared.order).toEqual([]);
    expect(await c.get('index')).toBeUndefined();
  });
});
