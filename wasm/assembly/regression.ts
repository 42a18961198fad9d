/**
 * @module wasm/assembly/regression — the least-squares line through a window of samples, for
 * deriv and predict_linear: Prometheus 2.42's `linearRegression` (Kahan-compensated sums, x in
 * seconds from an intercept time) in the same operation order as core/promql/functions/
 * regression.ts, so results are bit-identical; in workerd this loop runs several times faster as
 * WASM than as JS. GC-free (stub runtime); the JS side (core/promql/functions/regression-wasm.ts)
 * copies a series' columns above `heapBase()` once and calls `regressWindows` for all its steps
 * (one call per series: a call into WASM costs more in workerd than a short window's sums).
 */

import { compensation, kahan2 } from './shared/kahan2';

let interceptOut: f64 = 0;

export function heapBase(): usize {
  return __heap_base;
}

/** The intercept of the last `regress`. */
export function intercept(): f64 {
  return interceptOut;
}

/**
 * Slope of samples [lo, hi) of the f64 columns at tPtr (ms) and vPtr, at `interceptTime` (ms);
 * the intercept is left for `intercept()`. The four sums run as two pairs, (x, y) and
 * (x², xy), in SIMD lanes, compensated by TwoSum (see kahan2): the scalar loop's sums and
 * compensations with half the instructions and no data-dependent branch.
 */
export function regress(tPtr: usize, vPtr: usize, lo: i32, hi: i32, interceptTime: f64): f64 {
  let n: f64 = 0;
  let sums1 = f64x2.splat(0); // sumX, sumY
  let comp1 = f64x2.splat(0);
  let sums2 = f64x2.splat(0); // sumX2, sumXY
  let comp2 = f64x2.splat(0);
  const initY = load<f64>(vPtr + ((<usize>lo) << 3));
  let constY = true;
  for (let k = lo; k < hi; k++) {
    const y = load<f64>(vPtr + ((<usize>k) << 3));
    if (constY && k > lo && y != initY) constY = false;
    n += 1.0;
    const xs = f64x2.splat((load<f64>(tPtr + ((<usize>k) << 3)) - interceptTime) / 1e3);
    const xy = f64x2.replace_lane(xs, 1, y);
    sums1 = kahan2(sums1, xy, comp1);
    comp1 = compensation;
    sums2 = kahan2(sums2, f64x2.mul(xs, xy), comp2);
    comp2 = compensation;
  }
  if (constY) {
    if (initY == Infinity || initY == -Infinity) {
      interceptOut = NaN;
      return NaN;
    }
    interceptOut = initY;
    return 0;
  }
  sums1 = f64x2.add(sums1, comp1);
  sums2 = f64x2.add(sums2, comp2);
  const sumX = f64x2.extract_lane(sums1, 0);
  const sumY = f64x2.extract_lane(sums1, 1);
  const sumX2 = f64x2.extract_lane(sums2, 0);
  const sumXY = f64x2.extract_lane(sums2, 1);
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  interceptOut = sumY / n - (slope * sumX) / n;
  return slope;
}

/**
 * `regress` for every step's window [from[i], to[i]) (i32 columns) with at least two samples,
 * its intercept time atPtr[i] (f64), or the window's first sample time when atPtr is 0; slopes
 * and intercepts go to the f64 columns at slopePtr and interceptPtr (other steps are not written).
 */
export function regressWindows(
  tPtr: usize,
  vPtr: usize,
  fromPtr: usize,
  toPtr: usize,
  steps: i32,
  atPtr: usize,
  slopePtr: usize,
  interceptPtr: usize,
): void {
  for (let i = 0; i < steps; i++) {
    const lo = load<i32>(fromPtr + ((<usize>i) << 2));
    const hi = load<i32>(toPtr + ((<usize>i) << 2));
    if (hi - lo < 2) continue;
    const at =
      atPtr == 0 ? load<f64>(tPtr + ((<usize>lo) << 3)) : load<f64>(atPtr + ((<usize>i) << 3));
    store<f64>(slopePtr + ((<usize>i) << 3), regress(tPtr, vPtr, lo, hi, at));
    store<f64>(interceptPtr + ((<usize>i) << 3), interceptOut);
  }
}
