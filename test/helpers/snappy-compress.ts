/**
 * @module test/helpers/snappy-compress — a snappy block-format compressor for tests and benchmarks
 * (greedy matching over a hash of 4-byte sequences, 64 KiB blocks, as the reference compressor
 * works), so remote-write bodies arrive compressed as a Prometheus sends them: literals and
 * back-references, not one long literal. Output is valid for any snappy decoder.
 */
import { putUvarint } from '../../core/varint.ts';

const BLOCK = 65536;
const HASH_BITS = 14;

function load32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + input.length + Math.ceil(input.length / 60) * 5 + 16);
  let o = putUvarint(out, 0, input.length);
  const table = new Int32Array(1 << HASH_BITS);

  const literal = (from: number, to: number): void => {
    if (to <= from) return;
    const m = to - from - 1;
    if (m < 60) out[o++] = m << 2;
    else {
      const bytes = m < 0x100 ? 1 : m < 0x10000 ? 2 : m < 0x1000000 ? 3 : 4;
      out[o++] = (59 + bytes) << 2;
      for (let k = 0; k < bytes; k++) out[o++] = (m >>> (8 * k)) & 0xff;
    }
    out.set(input.subarray(from, to), o);
    o += to - from;
  };
  const copy = (off: number, len: number): void => {
    const piece = (n: number): void => {
      if (n >= 4 && n <= 11 && off < 2048) {
        out[o++] = 1 | ((n - 4) << 2) | ((off >>> 8) << 5);
        out[o++] = off & 0xff;
      } else {
        out[o++] = 2 | ((n - 1) << 2);
        out[o++] = off & 0xff;
        out[o++] = off >>> 8;
      }
    };
    while (len >= 68) {
      piece(64);
      len -= 64;
    }
    if (len > 64) {
      piece(60);
      len -= 60;
    }
    piece(len);
  };

  for (let start = 0; start < input.length; start += BLOCK) {
    const end = Math.min(input.length, start + BLOCK);
    table.fill(-1);
    let lit = start;
    let i = start;
    while (i + 4 <= end) {
      const v = load32(input, i);
      const h = Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
      const cand = table[h]!;
      table[h] = i;
      if (cand >= start && load32(input, cand) === v) {
        let len = 4;
        while (i + len < end && input[cand + len] === input[i + len]) len++;
        literal(lit, i);
        copy(i - cand, len);
        i += len;
        lit = i;
      } else i++;
    }
    literal(lit, end);
  }
  return out.subarray(0, o);
}
