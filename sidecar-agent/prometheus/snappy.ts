/**
 * @module sidecar-agent/prometheus/snappy — the snappy BLOCK format (not the framed stream
 * format) that Prometheus's remote read and write bodies use. Spec: google/snappy
 * format_description.txt: a uvarint of the uncompressed length, then elements whose low two tag
 * bits say literal (00) or copy with 1/2/4-byte offsets (01/10/11).
 *
 * Encoding emits literals only: that is valid snappy, needs no hash table, and request bodies
 * (a few matchers) are tiny, so compression would buy nothing.
 */
import { BadDataError } from '../../core/errors.ts';
import { putUvarint } from '../../core/storeapi/framing.ts';

/** Longest literal one element carries here; any length fits a 4-byte length, 64 KiB keeps tags simple. */
const MAX_LITERAL = 65536;

export function snappyEncode(input: Uint8Array): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(5 + n + Math.ceil(n / MAX_LITERAL) * 3 + 3);
  let at = putUvarint(out, 0, n);
  for (let start = 0; start < n; start += MAX_LITERAL) {
    const len = Math.min(MAX_LITERAL, n - start);
    const m = len - 1;
    if (m < 60) {
      out[at++] = m << 2;
    } else if (m < 0x100) {
      out[at++] = 60 << 2;
      out[at++] = m;
    } else {
      out[at++] = 61 << 2;
      out[at++] = m & 0xff;
      out[at++] = m >>> 8;
    }
    out.set(input.subarray(start, start + len), at);
    at += len;
  }
  return out.subarray(0, at);
}

export function snappyDecode(input: Uint8Array): Uint8Array {
  let pos = 0;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new BadDataError('snappy: bad length varint');
    const b = input[pos++]!;
    len += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(len);
  let at = 0;
  while (pos < input.length) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let m = tag >>> 2;
      if (m >= 60) {
        const bytes = m - 59;
        m = 0;
        for (let i = 0; i < bytes; i++) m += input[pos++]! * 2 ** (8 * i);
      }
      const n = m + 1;
      if (pos + n > input.length || at + n > len)
        throw new BadDataError('snappy: literal overruns');
      out.set(input.subarray(pos, pos + n), at);
      pos += n;
      at += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (kind === 2) {
      n = 1 + (tag >>> 2);
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      n = 1 + (tag >>> 2);
      offset =
        (input[pos]! |
          (input[pos + 1]! << 8) |
          (input[pos + 2]! << 16) |
          (input[pos + 3]! << 24)) >>>
        0;
      pos += 4;
    }
    if (pos > input.length || offset === 0 || offset > at || at + n > len) {
      throw new BadDataError('snappy: bad copy');
    }
    // Copies may overlap their own output (run-length), so byte by byte.
    for (let i = 0; i < n; i++, at++) out[at] = out[at - offset]!;
  }
  if (at !== len) throw new BadDataError(`snappy: decoded ${at} bytes, header says ${len}`);
  return out;
}
