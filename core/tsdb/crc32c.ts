/**
 * @module core/tsdb/crc32c — CRC-32C (Castagnoli), the checksum of every TSDB section, chunk and
 * meta record (Go's `crc32.MakeTable(crc32.Castagnoli)`). Slicing-by-8 tables: about 8× faster
 * than the byte-at-a-time loop, which matters when verifying whole chunk segments.
 */

/** Reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

/** 8 tables of 256 entries: TABLES[k*256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i]!;
    for (let k = 1; k < 8; k++) {
      c = (c >>> 8) ^ t[c & 0xff]!;
      t[k * 256 + i] = c >>> 0;
    }
  }
  return t;
})();

/**
 * CRC-32C of `bytes[start, end)`. `init` continues a previous checksum, so
 * `crc32c(b, crc32c(a)) === crc32c(a ++ b)` (Go's `crc32.Update` semantics).
 */
export function crc32c(bytes: Uint8Array, init = 0, start = 0, end = bytes.length): number {
  const t = TABLES;
  let crc = ~init >>> 0;
  let i = start;
  // Byte-wise until the rest is a multiple of 8 (the loop below reads 8 at a time).
  const head = (end - start) & 7;
  for (const stop = start + head; i < stop; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  for (; i < end; i += 8) {
    const lo =
      crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    crc =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^
      t[2 * 256 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  return ~crc >>> 0;
}
