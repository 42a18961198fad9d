import { describe, expect, it } from 'vitest';
import { snappyCompress } from '../../../test/helpers/snappy-compress.ts';
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
  it('decodes compressed input: every literal and copy length around the short/long switch', () => {
    // Inputs whose compression has literals of 1..70 bytes and copies of 4..200 bytes, near
    // (overlapping: runs) and far (past the 16 bytes moved one at a time), in 64 KiB blocks.
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const inputs: Uint8Array[] = [];
    for (let round = 0; round < 40; round++) {
      const parts: number[] = [];
      const size = 1 + rand(round < 30 ? 3000 : 200_000);
      while (parts.length < size) {
        const kind = rand(4);
        if (kind === 0 || parts.length < 8) {
          for (let i = 1 + rand(70); i > 0; i--) parts.push(rand(256));
        } else if (kind === 1) {
          const v = rand(256);
          for (let i = 4 + rand(100); i > 0; i--) parts.push(v);
        } else {
          const from = rand(parts.length);
          const len = 4 + rand(kind === 2 ? 16 : 200);
          for (let i = 0; i < len; i++) parts.push(parts[from + (i % (parts.length - from))]!);
        }
      }
      inputs.push(Uint8Array.from(parts.slice(0, size)));
    }
    /** Index of the first differing byte, or -1 (toEqual on 200 KB arrays takes seconds). */
    const firstDiff = (a: Uint8Array, b: Uint8Array): number => {
      if (a.length !== b.length) return Math.min(a.length, b.length);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
      return -1;
    };
    let inBytes = 0;
    let outBytes = 0;
    for (const input of inputs) {
      const compressed = snappyCompress(input);
      inBytes += input.length;
      outBytes += compressed.length;
      expect(firstDiff(snappyDecode(compressed), input)).toBe(-1);
      // Decoding into a reused, dirty buffer gives the same bytes.
      const dirty = new Uint8Array(input.length + 10).fill(0xee);
      expect(
        firstDiff(
          snappyDecode(compressed, input.length, (n) => dirty.subarray(0, n)),
          input,
        ),
      ).toBe(-1);
    }
    // Mostly copies, not literals: the decoder's copy paths did the work.
    expect(outBytes).toBeLessThan(inBytes / 2);
  });
  it('rejects a copy reaching before the output or past its declared end', () => {
    const ok = snappyCompress(new TextEncoder().encode('abcdefghijklmnopqrstabcdefghijklmnopqrst'));
    expect(dec.decode(snappyDecode(ok))).toBe('abcdefghijklmnopqrstabcdefghijklmnopqrst');
    // A 20-byte copy (past the short path) at offset 30 after 20 bytes: before the output.
    expect(() =>
      snappyDecode(Uint8Array.of(40, 19 << 2, ...new Uint8Array(20), 2 | (19 << 2), 30, 0)),
    ).toThrow(SnappyError);
    // A 20-byte copy at offset 20 when the header declares 30 bytes: past the end.
    expect(() =>
      snappyDecode(Uint8Array.of(30, 19 << 2, ...new Uint8Array(20), 2 | (19 << 2), 20, 0)),
    ).toThrow(SnappyError);
  });
});
