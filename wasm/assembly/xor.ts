/**
 * @module wasm/assembly/xor — batch XOR chunk kernels (Prometheus tsdb/chunkenc XOR format):
 * `decode` turns many chunks into timestamp/value columns in one call, `encode` turns many
 * series' columns into chunks. GC-free (stub runtime), stateless between calls: the JS side
 * (core/chunkenc/wasm.ts) owns the layout of linear memory above `heapBase()`.
 *
 * Boundary rules: only i32/u32/f64 cross it (no i64); values move as raw 64-bit patterns so NaN
 * payloads (the stale marker) survive; every read is bounds-checked against memory.size() and
 * failures come back as negative status codes, never traps.
 */

import { OPTIMISTIC_GUARD, SLACK } from './xor/decode';

export { decode } from './xor/decode';
export { encode, encodeBound, encodeErrorIndex } from './xor/encode';
export { pickInPlace } from './xor/pick';

/** Where the JS side may start laying out its regions (end of static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** Lowest input address at which the fast decode pass runs (see OPTIMISTIC_GUARD). */
export function inputGuard(): i32 {
  return <i32>OPTIMISTIC_GUARD;
}

/** Bytes of memory the decoder may read past an input chunk. */
export function readSlack(): i32 {
  return <i32>SLACK;
}
