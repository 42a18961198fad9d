import { describe, expect, it } from 'vitest';
import { fnvBytes, fnvString } from './hashring.ts';
import { KEY_SEED, SeriesKeys, keyString, type KeyBytes } from './series-keys.ts';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `key` placed at an offset in a larger body, as a series' label bytes lie in a request. */
function inBody(key: string): { body: Uint8Array; k: KeyBytes } {
  const body = bytes(`\x0a\x7f${key}\x12\x00`);
  return {
    body,
    k: {
      keyHash: fnvBytes(KEY_SEED, body, 2, 2 + key.length),
      keyStart: 2,
      keyEnd: 2 + key.length,
      keyJoined: undefined,
    },
  };
}

/** The first two keys `k<i>` whose hashes collide (deterministic: the same pair every run). */
function collidingKeys(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    const h = fnvString(KEY_SEED, key);
    const other = seen.get(h);
    if (other !== undefined) return [other, key];
    seen.set(h, key);
  }
}

describe('series keys found by their bytes', () => {
  it('finds a key by its bytes in a body, and tells apart keys whose hashes collide', () => {
    const [a, b] = collidingKeys();
    expect(fnvString(KEY_SEED, a)).toBe(fnvString(KEY_SEED, b));
    const keys = new SeriesKeys<string>();
    keys.set(a, 'A');
    expect(keys.find(inBody(b).body, inBody(b).k)).toBeUndefined();
    keys.set(b, 'B');
    expect(keys.size).toBe(2);
    expect(keys.find(inBody(a).body, inBody(a).k)).toBe('A');
    expect(keys.find(inBody(b).body, inBody(b).k)).toBe('B');
    expect([keys.get(a), keys.get(b)]).toEqual(['A', 'B']);
    // Replacing keeps one entry; deleting the first of a chain keeps the second findable.
    keys.set(a, 'A2');
    expect(keys.size).toBe(2);
    expect(keys.delete(a)).toBe(true);
    expect(keys.delete(a)).toBe(false);
    expect(keys.find(inBody(a).body, inBody(a).k)).toBeUndefined();
    expect(keys.find(inBody(b).body, inBody(b).k)).toBe('B');
    expect(keys.size).toBe(1);
  });

  it('compares every byte: a key differing in its last byte or its length is another key', () => {
    const keys = new SeriesKeys<number>();
    keys.set('\x0a\x05abc\xff', 1);
    for (const other of ['\x0a\x05abc\xfe', '\x0a\x05abc', '\x0a\x05abc\xff\x00']) {
      const { body, k } = inBody(other);
      // Forced onto the stored key's hash, so only the byte comparison can tell them apart.
      expect(keys.find(body, { ...k, keyHash: fnvString(KEY_SEED, '\x0a\x05abc\xff') })).toBe(
        undefined,
      );
    }
    const { body, k } = inBody('\x0a\x05abc\xff');
    expect(keys.find(body, k)).toBe(1);
    expect(keyString(body, k)).toBe('\x0a\x05abc\xff');
  });

  it('finds a key given as joined runs (label fields that were not adjacent)', () => {
    const keys = new SeriesKeys<number>();
    keys.set('xy', 7);
    const k: KeyBytes = {
      keyHash: fnvString(KEY_SEED, 'xy'),
      keyStart: 0,
      keyEnd: 0,
      keyJoined: 'xy',
    };
    expect(keys.find(new Uint8Array(0), k)).toBe(7);
    expect(keyString(new Uint8Array(0), k)).toBe('xy');
  });

  it('agrees with a Map through growth, deletes, reuse of freed slots and clear', () => {
    const keys = new SeriesKeys<number>();
    const model = new Map<string, number>();
    // A fixed pseudo-random walk: sets, replacements and deletes over 3,000 keys.
    let x = 12345;
    const rand = (n: number): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
    for (let step = 0; step < 20_000; step++) {
      const key = `{series="${rand(3000)}"}`;
      if (rand(3) === 0) expect(keys.delete(key)).toBe(model.delete(key));
      else {
        keys.set(key, step);
        model.set(key, step);
      }
    }
    expect(keys.size).toBe(model.size);
    for (let i = 0; i < 3000; i++) {
      const key = `{series="${i}"}`;
      expect(keys.get(key)).toBe(model.get(key));
      const { body, k } = inBody(key);
      expect(keys.find(body, k)).toBe(model.get(key));
    }
    keys.clear();
    expect(keys.size).toBe(0);
    expect(keys.get('{series="1"}')).toBeUndefined();
    keys.set('{series="1"}', 1);
    expect(keys.get('{series="1"}')).toBe(1);
  });
});
