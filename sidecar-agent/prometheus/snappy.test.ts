import { describe, expect, it } from 'vitest';
import { snappyDecode, snappyEncode } from './snappy.ts';

describe('snappy block format', () => {
  it('round-trips literals of every tag size', () => {
    for (const n of [0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000]) {
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) input[i] = (i * 31 + 7) & 0xff;
      expect(snappyDecode(snappyEncode(input))).toEqual(input);
    }
  });

  it('decodes a copy element (as written by a real encoder)', () => {
    // "abcdabcdabcd": literal "abcd" then copy len 8 offset 4 (tag kind 01).
    const enc = new Uint8Array([12, 3 << 2, 97, 98, 99, 100, ((8 - 4) << 2) | 1, 4]);
    expect(new TextDecoder().decode(snappyDecode(enc))).toBe('abcdabcdabcd');
  });

  it('rejects a length mismatch', () => {
    expect(() => snappyDecode(new Uint8Array([5, 0, 97]))).toThrow(/snappy/);
  });
});
