/**
 * @module wasm/assembly/shared/kahan2 — compensated sums in SIMD lanes, shared by the over-time and
 * regression kernels (each module compiles its own copy).
 */

/**
 * One compensated increment of two sums at once, lane by lane. The scalar `kahanSumInc`
 * (Neumaier) adds to the compensation the rounding error of sum + inc, computed by Fast2Sum in
 * whichever order puts the larger magnitude first; here Knuth's TwoSum computes it without the
 * comparison. Both are exact, so while the sum is finite they add the very same number (its sign
 * when zero cannot matter: a compensation starting at +0 never becomes -0); where the sum
 * overflows or meets an infinity or NaN both make every later result NaN. Returns the new sums;
 * the new compensations are left in `compensation` (a second return value).
 */
// @ts-ignore: decorator
@inline
export function kahan2(sum: v128, inc: v128, c: v128): v128 {
  const t = f64x2.add(sum, inc);
  const incPart = f64x2.sub(t, sum);
  const err = f64x2.add(f64x2.sub(sum, f64x2.sub(t, incPart)), f64x2.sub(inc, incPart));
  compensation = f64x2.add(c, err);
  return t;
}

/** The compensations `kahan2` computed last. */
export let compensation: v128 = f64x2.splat(0);
