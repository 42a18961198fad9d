/**
 * @module wasm/assembly/crc32c — CRC-32C (Castagnoli) kernel, slicing-by-16 over aligned 32-bit loads.
 * GC-free (stub runtime) and stateless between calls: the JS side (core/tsdb/crc32c-wasm.ts) owns
 * linear memory above `heapBase()`. The reference is the JS implementation in core/tsdb/crc32c.ts.
 *
 * `crc(ptr, len, init)` checksums one range; `crcRanges(desc, n)` checksums n ranges given as
 * {u32 addr, u32 len} records and writes each CRC over its record's len field, so many small
 * chunks cost one call.
 */

/** Reflected Castagnoli polynomial. */
const POLY: u32 = 0x82f63b78;

/** 16 tables of 256 u32: entry [k*256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLES: usize = memory.data(16 * 256 * 4, 64);

function initTables(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(TABLES + (<usize>i << 2), c);
  }
  for (let i: u32 = 0; i < 256; i++) {
    let c = load<u32>(TABLES + (<usize>i << 2));
    for (let k: u32 = 1; k < 16; k++) {
      c = (c >>> 8) ^ load<u32>(TABLES + (<usize>(c & 0xff) << 2));
      store<u32>(TABLES + ((<usize>(k * 256 + i)) << 2), c);
    }
  }
}
initTables();

// @ts-ignore: decorator
@inline
function t(k: u32, b: u32): u32 {
  return load<u32>(TABLES + ((<usize>k << 10) | (<usize>(b & 0xff) << 2)));
}

/**
 * The four table lookups for one 32-bit word, tables k+3 (low byte) down to k (high byte). Each
 * byte is shifted straight to its table byte offset (index * 4) and masked once.
 */
// @ts-ignore: decorator
@inline
function word(k: u32, w: u32): u32 {
  const base = TABLES + (<usize>k << 10);
  return (
    load<u32>(base + 3072 + <usize>((w << 2) & 0x3fc)) ^
    load<u32>(base + 2048 + <usize>((w >>> 6) & 0x3fc)) ^
    load<u32>(base + 1024 + <usize>((w >>> 14) & 0x3fc)) ^
    load<u32>(base + <usize>((w >>> 22) & 0x3fc))
  );
}

function update(crc: u32, p: usize, len: usize): u32 {
  const end = p + len;
  // Bytewise up to an 8-byte aligned address.
  while (p < end && (p & 7) != 0) {
    crc = (crc >>> 8) ^ t(0, crc ^ <u32>load<u8>(p));
    p++;
  }
  // 16 bytes per step as four 32-bit words (i32 arithmetic is cheaper than i64 shifts and
  // wraps in V8's WASM tiers); the running CRC folds into the first word.
  while (end - p >= 16) {
    crc =
      word(12, load<u32>(p) ^ crc) ^
      word(8, load<u32>(p, 4)) ^
      word(4, load<u32>(p, 8)) ^
      word(0, load<u32>(p, 12));
    p += 16;
  }
  if (end - p >= 8) {
    crc = word(4, load<u32>(p) ^ crc) ^ word(0, load<u32>(p, 4));
    p += 8;
  }
  while (p < end) {
    crc = (crc >>> 8) ^ t(0, crc ^ <u32>load<u8>(p));
    p++;
  }
  return crc;
}

/** Where the JS side may start laying out its regions (end of static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** CRC-32C of memory [ptr, ptr+len), continuing `init` (Go's crc32.Update semantics). */
export function crc(ptr: usize, len: usize, init: u32): u32 {
  return ~update(~init, ptr, len);
}

/**
 * CRC-32C (init 0) of each of n ranges described by {u32 addr, u32 len} records at `desc`; the
 * CRC replaces the record's len. Ranges are not bounds-checked here: the JS side builds them
 * inside the region it copied in.
 */
export function crcRanges(desc: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const d = desc + (<usize>i << 3);
    store<u32>(d, ~update(0xffffffff, <usize>load<u32>(d), <usize>load<u32>(d, 4)), 4);
  }
}
