/**
 * @module wasm/assembly/regression — the least-squares line through a window of samples, for
 * deriv and predict_linear: Prometheus 2.42's `linearRegression` (Kahan-compensated sums, x in
 * seconds from an intercept time) in the same operation order as core/promql/functions/
 * regression.ts, so results are bit-identical; in workerd this loop runs several times faster as
 * WASM than as JS. GC-free (stub runtime); the JS side (core/promql/functions/regression-wasm.ts)
 * copies a series' columns above `heapBase()` once and calls `regressWindows` for all its steps
 * (one call per series: a call into WASM costs more in workerd than a short window's sums).
 */

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
 * the intercept is left for `intercept()`.
 */
export function regress(tPtr: usize, vPtr: usize, lo: i32, hi: i32, interceptTime: f64): f64 {
  let n: f64 = 0;
  let sumX: f64 = 0;
  let cX: f64 = 0;
  let sumY: f64 = 0;
  let cY: f64 = 0;
  let sumXY: f64 = 0;
  let cXY: f64 = 0;
  let sumX2: f64 = 0;
  let cX2: f64 = 0;
  const initY = load<f64>(vPtr + ((<usize>lo) << 3));
  let constY = true;
  for (let k = lo; k < hi; k++) {
    const y = load<f64>(vPtr + ((<usize>k) << 3));
    if (constY && k > lo && y != initY) constY = false;
    n += 1.0;
    const x = (load<f64>(tPtr + ((<usize>k) << 3)) - interceptTime) / 1e3;
    let s = sumX + x;
    if (Math.abs(sumX) >= Math.abs(x)) cX += sumX - s + x;
    else cX += x - s + sumX;
    sumX = s;
    s = sumY + y;
    if (Math.abs(sumY) >= Math.abs(y)) cY += sumY - s + y;
    else cY += y - s + sumY;
    sumY = s;
    const xy = x * y;
    s = sumXY + xy;
    if (Math.abs(sumXY) >= Math.abs(xy)) cXY += sumXY - s + xy;
    else cXY += xy - s + sumXY;
    sumXY = s;
    const x2 = x * x;
    s = sumX2 + x2;
    if (Math.abs(sumX2) >= Math.abs(x2)) cX2 += sumX2 - s + x2;
    else cX2 += x2 - s + sumX2;
    sumX2 = s;
  }
  if (constY) {
    if (initY == Infinity || initY == -Infinity) {
      interceptOut = NaN;
      return NaN;
    }
    interceptOut = initY;
    return 0;
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
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
