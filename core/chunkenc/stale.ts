/**
 * @module core/chunkenc/stale — Prometheus's staleness marker: one specific NaN bit pattern
 * (value.StaleNaN = 0x7ff0000000000002). Any other NaN is an ordinary sample value, so the
 * marker must be recognised by its exact bits, never by `Number.isNaN` or NaN identity.
 * Bits are read through Uint32 views on the same buffer as the Float64Array (cached per buffer).
 */

/** High 32 bits of the stale marker (value.StaleNaN in prometheus/model/value). */
export const STALE_NAN_BITS_HI = 0x7ff00000;
/** Low 32 bits of the stale marker. */
export const STALE_NAN_BITS_LO = 0x00000002;

/** True on little-endian hosts (every JS engine we target); a Float64's low word comes first. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function staleNaN(): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, STALE_NAN_BITS_HI);
  dv.setUint32(4, STALE_NAN_BITS_LO);
  return dv.getFloat64(0);
}

/**
 * A number whose bits are exactly the stale marker. Store it into a Float64Array (V8 keeps NaN
 * payloads through typed-array stores and copies; see stale.test.ts), but compare with
 * `isStaleNaN`, never `===`. Keep values in typed arrays: V8 canonicalises NaNs stored in a plain
 * JS Array of doubles, which loses the marker.
 */
export const STALE_NAN: number = staleNaN();

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
const views = new WeakMap<ArrayBufferLike, Uint32Array>();

/** A Uint32Array over the whole buffer, cached so hot loops do not allocate. */
export function u32View(buffer: ArrayBufferLike): Uint32Array {
  let v = views.get(buffer);
  // A resizable buffer may have grown; a length mismatch means the cached view is stale.
  if (v === undefined || v.length !== buffer.byteLength >>> 2) {
    v = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    views.set(buffer, v);
  }
  return v;
}

/** Whether values[i] carries exactly the stale marker bits. */
export function isStaleNaN(values: Float64Array, i: number): boolean {
  const v = values[i]!;
  // Fast path: ordinary numbers are never the marker.
  if (v === v) return false;
  const w = u32View(values.buffer);
  const base = (values.byteOffset >>> 2) + 2 * i;
  return LITTLE_ENDIAN
    ? w[base + 1] === STALE_NAN_BITS_HI && w[base] === STALE_NAN_BITS_LO
    : w[base] === STALE_NAN_BITS_HI && w[base + 1] === STALE_NAN_BITS_LO;
}

/** Whether a single number has the marker's bits (slow path for scalars; hot loops use isStaleNaN). */
export function isStaleNaNNumber(v: number): boolean {
  if (v === v) return false;
  scratchF64[0] = v;
  return LITTLE_ENDIAN
    ? scratchU32[1] === STALE_NAN_BITS_HI && scratchU32[0] === STALE_NAN_BITS_LO
    : scratchU32[0] === STALE_NAN_BITS_HI && scratchU32[1] === STALE_NAN_BITS_LO;
}
