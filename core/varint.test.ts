import { describe, expect, it } from 'vitest';
import { Random } from '../test/helpers/random.ts';
import { putUvarint, uvarintSize } from './varint.ts';

/** The uvarint of `v` by the definition, on BigInt: 7 bits at a time, low first. */
function uvarintReference(v: number): number[] {
  let x = BigInt(v);
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

describe('uvarint', () => {
  it('writes and sizes every integer up to 2^53 as the definition does, around each 7-bit boundary', () => {
    const rnd = new Random(11);
    const values: number[] = [0, 1, Number.MAX_SAFE_INTEGER, 2 ** 53];
    for (let k = 1; k <= 53; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1);
    // Timestamps in ms, the usual large value.
    for (let i = 0; i < 2000; i++) values.push(Math.floor(rnd.next() * 2 ** rnd.intBetween(1, 53)));
    const buf = new Uint8Array(16);
    for (const v of values) {
      const want = uvarintReference(v);
      const end = putUvarint(buf, 1, v);
      expect([...buf.subarray(1, end)], String(v)).toEqual(want);
      expect(uvarintSize(v), String(v)).toBe(want.length);
    }
  });
});
