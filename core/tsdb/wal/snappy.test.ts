import { describe, expect, it } from 'vitest';
import { SnappyError, snappyDecode } from './snappy.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('snappyDecode', () => {
  it('decodes literals and overlapping copies', () => {
    // "abc" literal, then a 1-byte-offset copy of 6 bytes at distance 3.
    expect(dec.decode(snappyDecode(Uint8Array.of(9, 8, ...enc.encode('abc'), 9, 3)))).toBe(
      'abcabcabc',
    );
    // 2-byte-offset copy: len 2 (tag (2-1)<<2 | 2), offset 1.
    expect(dec.decode(snappyDecode(Uint8Array.of(3, 0, 0x41, 6, 1, 0)))).toBe('AAA');
    // Literal with a 1-byte extended length (60): 61 bytes.
    const lit = new Uint8Array(61).fill(0x7a);
    expect(snappyDecode(Uint8Array.of(61, 60 << 2, 60, ...lit))).toEqual(lit);
  });
  it('rejects malformed input', () => {
    for (const bad of [
      Uint8Array.of(), // no header
      Uint8Array.of(5, 8, 0x61), // literal past end
      Uint8Array.of(3, 9, 3), // copy before any output
      Uint8Array.of(2, 0, 0x61), // fewer bytes than declared
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f), // declared length too large
    ]) {
      expect(() => snappyDecode(bad)).toThrow(SnappyError);
    }
  });
});
