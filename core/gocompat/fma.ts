/**
 * @module core/gocompat/fma — fused multiply-add (a × b + c rounded once), as x86's
 * VFMADD computes it, for the FMA path of Go's amd64 Exp. Emulated exactly with Dekker's product,
 * an exact sum and Boldo–Melquiond's round-to-odd step, all in float64.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

const SPLIT = 134217729; // 2^27 + 1, Veltkamp

/** Round-to-odd sum: the exact x + y when representable, else the neighbour with an odd mantissa. */
function addRoundOdd(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const e = x - (s - bb) + (y - bb);
  if (e === 0) return s;
  f64[0] = s;
  if ((u32[LO]! & 1) === 1) return s;
  // s has an even mantissa and the exact sum lies on e's side of it: step one ulp that way.
  const up = e > 0 === s > 0;
  let lo = u32[LO]!;
  let hi = u32[HI]!;
  if (up) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  u32[LO] = lo;
  u32[HI] = hi;
  return f64[0]!;
}

/** a × b + c with a single rounding (x86 VFMADD), by Boldo–Melquiond's round-to-odd emulation. */
export function fma(a: number, b: number, c: number): number {
  const ph = a * b;
  if (
    !Number.isFinite(ph) ||
    !Number.isFinite(c) ||
    ph === 0 ||
    Math.abs(ph) < 1e-290 ||
    Math.abs(ph) > 1e290
  ) {
    return ph + c; // outside the exact-split range; never reached by the kernels below
  }
  // Dekker's exact product: ph + pl = a × b.
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ah * bh - ph + ah * bl + al * bh + al * bl;
  // Exact sum: sh + sl = c + ph.
  const sh = c + ph;
  const bb = sh - c;
  const sl = c - (sh - bb) + (ph - bb);
  return sh + addRoundOdd(sl, pl);
}
