import { describe, expect, it } from 'vitest';
import { AGING_GETS, AdmittingLru, MAX_COUNTED_KEYS } from './admitting-lru.ts';

/** A lookup, then a put of the same key when it missed (what every caller does). */
function askThenPut(lru: AdmittingLru<string>, key: string, bytes = 10): boolean {
  if (lru.get(key) !== undefined) return true;
  lru.put(key, bytes, () => key);
  return false;
}

describe('AdmittingLru', () => {
  it('drops the least recently used past its limits', () => {
    const lru = new AdmittingLru<string>({ maxBytes: 30, maxEntries: 2 });
    for (const k of ['a', 'b']) askThenPut(lru, k);
    expect(lru.get('a')).toBe('a');
    // Room for two entries: 'c' (asked for as often as 'b') is not let in past it…
    expect(askThenPut(lru, 'c')).toBe(false);
    expect(lru.get('c')).toBeUndefined();
    // …until asked for more often than 'b', which then goes.
    lru.put('c', 10, () => 'c');
    expect(lru.get('c')).toBe('c');
    expect(lru.get('b')).toBeUndefined();
    expect(lru.entries).toBe(2);
    expect(lru.bytes).toBe(20);
    expect(lru.evicted).toBe(1);
    expect(lru.rejected).toBe(1);
    // An entry larger than the whole budget is never kept, and replaces nothing.
    expect(lru.put('a', 31, () => 'big')).toBe(false);
    expect(lru.get('a')).toBeUndefined();
  });

  it('keeps part of a cycle larger than its budget instead of none of it', () => {
    const lru = new AdmittingLru<string>({ maxBytes: 30 });
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    for (const k of keys) askThenPut(lru, k);
    let hits = 0;
    for (let round = 0; round < 10; round++) for (const k of keys) if (askThenPut(lru, k)) hits++;
    // Least-recently-used alone: each put pushes out the key asked for next, 0 hits of 50.
    expect(hits).toBe(30);
    expect(lru.bytes).toBeLessThanOrEqual(30);
  });

  it('admits a forced put however rarely its key was asked for', () => {
    const lru = new AdmittingLru<string>({ maxBytes: 20 });
    for (let i = 0; i < 5; i++) for (const k of ['a', 'b']) askThenPut(lru, k);
    expect(lru.put('pinned', 10, () => 'p')).toBe(false);
    expect(lru.put('pinned', 10, () => 'p', true)).toBe(true);
    expect(lru.get('pinned')).toBe('p');
    expect(lru.bytes).toBe(20);
  });

  it('makes a value only when it is kept', () => {
    const lru = new AdmittingLru<string>({ maxBytes: 10 });
    askThenPut(lru, 'a');
    lru.get('a');
    let made = 0;
    expect(
      lru.put('b', 10, () => {
        made++;
        return 'b';
      }),
    ).toBe(false);
    expect(made).toBe(0);
  });

  it('lets keys asked for now replace keys that were popular once', () => {
    const lru = new AdmittingLru<string>({ maxBytes: 20 });
    for (let i = 0; i < 20; i++) for (const k of ['old1', 'old2']) askThenPut(lru, k);
    // A new key asked for once is not let in past two entries asked for twenty times…
    expect(askThenPut(lru, 'new')).toBe(false);
    expect(lru.get('new')).toBeUndefined();
    // …but once the old ones are no longer asked for, halving their counts lets it in.
    let admitted = -1;
    for (let i = 0; i < 4 * AGING_GETS && admitted < 0; i++)
      if (askThenPut(lru, 'new')) admitted = i;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThan(4 * AGING_GETS);
    expect(lru.get('old1')).toBeUndefined();
  });

  it('counts a bounded number of keys under a flood of keys asked for once', () => {
    // 2,000 entries held: the counts are halved only every 20,000 gets.
    const lru = new AdmittingLru<string>({ maxEntries: 10_000 });
    for (let i = 0; i < 2000; i++) askThenPut(lru, `held-${i}`);
    let most = 0;
    for (let i = 0; i < 19_000; i++) {
      lru.get(`flood-${i}`);
      most = Math.max(most, lru.countedKeys);
    }
    expect(most).toBeLessThanOrEqual(MAX_COUNTED_KEYS);
    expect(most).toBeGreaterThan(MAX_COUNTED_KEYS / 2);
    expect(lru.entries).toBe(2000);
    expect(lru.get('held-0')).toBe('held-0');
  });
});
