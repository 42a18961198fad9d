/**
 * @module core/tsdb/crc32c — CRC-32C (Castagnoli), the checksum of every TSDB section, chunk and
 * meta record (Go's `crc32.MakeTable(crc32.Castagnoli)`). Slicing-by-8 tables: about 8× faster
 * than the byte-at-a-time loop, which matters when verifying whole chunk segments.
 *
 * A faster kernel (the WASM one, core/tsdb/crc32c-wasm.ts) may be installed with
 * `installCrc32cKernel` by whoever loads WASM (the agent at startup, the Worker per isolate);
 * `crc32c` then hands it inputs long enough to repay the copy into WASM memory, and the JS code
 * here stays the fallback and the reference (`crc32cJs`).
 */

/** A CRC-32C implementation that `crc32c` may delegate to (same semantics as `crc32c`). */
export interface Crc32cKernel {
  /** CRC-32C of `bytes[start, end)` continuing `init`. */
  crc32c(bytes: Uint8Array, init: number, start: number, end: number): number;
  /** `out[i]` = CRC-32C (init 0) of `bytes[starts[i], ends[i])`, in one call. */
  crc32cRanges(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    out: Uint32Array,
  ): void;
}

/**
 * Input length from which the kernel beats the JS loop including its copy into WASM memory
 * (`npm run bench:decode -- --crc-only`, Node 20, shared 2-core machine: WASM 0.5x JS at 64 B,
 * ~1.0x at 256 B, 1.4x at 512 B, 1.7x at 1 KiB, 2.4x at 1 MiB). Chunks are smaller: a chunk
 * reader checks a read's chunks in one batch (`crc32cRanges`, 2.4x on ~230 B chunks).
 */
export const CRC32C_KERNEL_MIN_BYTES = 512;

let kernel: Crc32cKernel | undefined;
let kernelMin = CRC32C_KERNEL_MIN_BYTES;

/**
 * Makes `crc32c` and `crc32cRanges` use `k` for inputs of at least `minBytes` (undefined
 * uninstalls). Process/isolate-wide; call once where WASM is loaded.
 */
export function installCrc32cKernel(
  k: Crc32cKernel | undefined,
  minBytes = CRC32C_KERNEL_MIN_BYTES,
): void {
  kernel = k;
  kernelMin = minBytes;
}

/** The installed kernel, if any. */
export function crc32cKernel(): Crc32cKernel | undefined {
  return kernel;
}

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
  if (kernel !== undefined && end - start >= kernelMin)
    return kernel.crc32c(bytes, init, start, end);
  return crc32cJs(bytes, init, start, end);
}

/**
 * `out[i]` = CRC-32C of `bytes[starts[i], ends[i])` (each from 0), for callers that verify many
 * small ranges of one buffer (chunks of a fetched segment stretch): with a kernel installed, one
 * copy and one call for all of them once the ranges together reach the kernel's threshold.
 */
export function crc32cRanges(
  bytes: Uint8Array,
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
  out: Uint32Array = new Uint32Array(starts.length),
): Uint32Array {
  const n = starts.length;
  if (kernel !== undefined && n > 0) {
    let total = 0;
    for (let i = 0; i < n; i++) total += ends[i]! - starts[i]!;
    if (total >= kernelMin) {
      kernel.crc32cRanges(bytes, starts, ends, out);
      return out;
    }
  }
  for (let i = 0; i < n; i++) out[i] = crc32cJs(bytes, 0, starts[i]!, ends[i]!);
  return out;
}

/** The JS implementation (the reference, and the fallback without a kernel). */
export function crc32cJs(bytes: Uint8Array, init = 0, start = 0, end = bytes.length): number {
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
