/**
 * @module wasm/assembly/xor/common — status codes and limits shared by the XOR decode and encode
 * kernels (and mirrored in core/chunkenc/wasm.ts).
 */

export const OK: i32 = 0;
/** The chunk's bits ended before its sample count was reached. */
export const ERR_TRUNCATED: i32 = -1;
/** Chunk shorter than the 2-byte header, or a (u)varint that overflows 64 bits or the chunk. */
export const ERR_HEADER: i32 = -2;
/** A value window with leading + significant bits > 64. */
export const ERR_WINDOW: i32 = -3;
/** Output region too small for the samples/bytes. */
export const ERR_OUTPUT: i32 = -4;
/** A pointer/length outside linear memory (or without the read slack after it). */
export const ERR_RANGE: i32 = -5;
/** encode: a timestamp that is not an integer in ±2^53, or more than 65535 samples. */
export const ERR_INPUT: i32 = -6;
/**
 * A timestamp, t-delta or delta-of-delta outside ±(2^53-1): JS carries timestamps as numbers, so
 * such a chunk cannot be represented (and is corrupt in practice). Checking it also keeps this
 * decoder's int64 arithmetic and the TS decoder's float arithmetic in exact agreement.
 */
export const ERR_TIMESTAMP: i32 = -7;
/** Internal: the optimistic decode pass declines a chunk (never returned to JS). */
export const FALLBACK: i32 = 1;
/** The optimistic pass takes t-deltas in (0, 2^40): 65535 of them cannot overflow an i64. */
export const FAST_MAX_DELTA: i64 = 1 << 40;
export const MAX_SAFE: f64 = 9007199254740991.0;
export const MAX_SAFE_I: i64 = 9007199254740991;

/** |x| > 2^53-1, in one unsigned compare (wrap-around of x + MAX lands above the bound too). */
// @ts-ignore: decorator
@inline
export function unsafeInt(x: i64): bool {
  return <u64>(x + MAX_SAFE_I) > <u64>(MAX_SAFE_I * 2);
}
