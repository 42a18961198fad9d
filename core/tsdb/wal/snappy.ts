/**
 * @module core/tsdb/wal/snappy — Snappy block-format decompression (WAL records written with
 * `--storage.tsdb.wal-compression`, on by default since Prometheus 2.20). Format: uvarint
 * uncompressed length, then literal and copy elements (github.com/google/snappy
 * format_description.txt). Every length and offset is checked; bad input throws SnappyError.
 */

/**
 * Literals up to this many bytes are moved byte by byte, longer ones by `set`. Copies (at most 64
 * bytes each) always go byte by byte: in workerd a `copyWithin` or `subarray` per element costs
 * more than the loop (25 MB of remote-write bodies: 490 ms with a view per literal, 280 ms with
 * `copyWithin` for copies past 16 bytes, 115 ms with loops), though not in Node.
 */
const SHORT_LITERAL = 64;

export class SnappyError extends Error {
  override readonly name = 'SnappyError';
}

/**
 * A faster decoder of a block's elements (the WASM kernel, core/tsdb/wal/snappy-wasm.ts), which a
 * runtime installs: `decodeInto` decodes `src` from `from` into the whole of `out`, or throws
 * SnappyError.
 */
export interface SnappyKernel {
  decodeInto(src: Uint8Array, from: number, out: Uint8Array): void;
}

let kernel: SnappyKernel | undefined;

/** Installs (or with undefined removes) the kernel `snappyDecode` hands larger blocks to. */
export function installSnappyKernel(k: SnappyKernel | undefined): void {
  kernel = k;
}

/**
 * Blocks the kernel decodes: from this many compressed bytes (below, copying in and out costs
 * more than it saves) up to this many decoded ones (the kernel's memory grows to hold the largest
 * block and its input, and never shrinks: at most ~9 MiB of an isolate's 128 MB; a remote write
 * of 2,000 samples is ~250 KB decoded, larger blocks are rare and the JS decoder takes them).
 */
const KERNEL_MIN_INPUT = 512;
const KERNEL_MAX_OUTPUT = 4 * 1024 * 1024;

/**
 * Decodes a Snappy block; `maxLen` bounds the declared length before allocating. `alloc` gives
 * the output buffer (default a new one; e.g. ScratchBytes.take to decode into a reused one).
 */
export function snappyDecode(
  src: Uint8Array,
  maxLen = 64 * 1024 * 1024,
  alloc: (n: number) => Uint8Array = (n) => new Uint8Array(n),
): Uint8Array {
  let p = 0;
  let n = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= src.length || shift > 28) throw new SnappyError('bad length header');
    const b = src[p++]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (n > maxLen) throw new SnappyError(`declared length ${n} too large`);
  const dst = alloc(n);
  if (kernel && src.length - p >= KERNEL_MIN_INPUT && n <= KERNEL_MAX_OUTPUT) {
    kernel.decodeInto(src, p, dst);
    return dst;
  }
  let d = 0;
  while (p < src.length) {
    const tag = src[p++]!;
    let len: number;
    let off: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const k = len - 59; // 1..4 little-endian length bytes
          if (p + k > src.length) throw new SnappyError('truncated literal length');
          len = 0;
          for (let i = 0; i < k; i++) len += src[p + i]! * 2 ** (8 * i);
          p += k;
        }
        len += 1;
        if (p + len > src.length || d + len > n) throw new SnappyError('literal out of range');
        if (len <= SHORT_LITERAL) {
          for (let i = 0; i < len; i++) dst[d + i] = src[p + i]!;
        } else dst.set(src.subarray(p, p + len), d);
        p += len;
        d += len;
        continue;
      }
      case 1:
        if (p >= src.length) throw new SnappyError('truncated copy');
        len = 4 + ((tag >>> 2) & 7);
        off = ((tag >>> 5) << 8) | src[p++]!;
        break;
      case 2:
        if (p + 2 > src.length) throw new SnappyError('truncated copy');
        len = 1 + (tag >>> 2);
        off = src[p]! | (src[p + 1]! << 8);
        p += 2;
        break;
      default:
        if (p + 4 > src.length) throw new SnappyError('truncated copy');
        len = 1 + (tag >>> 2);
        off = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
        p += 4;
    }
    if (off === 0 || off > d || d + len > n) throw new SnappyError('copy out of range');
    // Byte by byte also makes an overlapping copy repeat the last `off` bytes, as it must.
    for (let i = 0; i < len; i++) dst[d + i] = dst[d - off + i]!;
    d += len;
  }
  if (d !== n) throw new SnappyError(`decoded ${d} of ${n} bytes`);
  return dst;
}
