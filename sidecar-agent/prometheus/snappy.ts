/**
 * @module sidecar-agent/prometheus/snappy — the snappy BLOCK format (not the framed stream
 * format) that Prometheus's remote read and write bodies use. Spec: google/snappy
 * format_description.txt: a uvarint of the uncompressed length, then elements whose low two tag
 * bits say literal (00) or copy with 1/2/4-byte offsets (01/10/11).
 *
 * Encoding emits literals only: that is valid snappy, needs no hash table, and request bodies
 * (a few matchers) are tiny, so compression would buy nothing. Decoding is core/tsdb/wal/snappy.ts.
 */
import { putUvarint } from '../../core/varint.ts';

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
