/**
 * @module core/varint — the unsigned varint (protobuf's, Prometheus's index format's) of a
 * non-negative integer up to 2^53: its size and its bytes, for every encoder in the project
 * (StoreAPI frames, the TSDB writers, remote write).
 */

/** Bytes of `n`'s uvarint. */
export function uvarintSize(n: number): number {
  // Compares with powers of two (exact as doubles) instead of dividing: timestamps (~2^41) take
  // six bytes, and this runs for every chunk a store sends.
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  let size = 8;
  for (let m = n / 0x100000000000000; m >= 1; m /= 128) size++;
  return size;
}

/** Writes `v` (a non-negative integer ≤ 2^53) as a uvarint at `at`; returns the position after it. */
export function putUvarint(out: Uint8Array, at: number, v: number): number {
  if (v >= 0x80000000) {
    // Above 31 bits: the low 28 bits go out as four 7-bit groups with 32-bit arithmetic, the rest
    // (below 2^25 for any v ≤ 2^53) follows as a small number.
    const hi = Math.floor(v / 0x10000000);
    let lo = v - hi * 0x10000000;
    for (let i = 0; i < 4; i++) {
      out[at++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    v = hi;
    while (v >= 0x80000000) {
      out[at++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
  }
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}
