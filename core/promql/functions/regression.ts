/**
 * @module core/promql/functions/regression — deriv, predict_linear (Prometheus 2.42
 * `linearRegression`, Kahan-compensated sums, x in seconds relative to an intercept time) and
 * holt_winters (double exponential smoothing with its argument checks).
 */
import { ExecutionError } from '../../errors.ts';
import { goFormatFloat } from '../../gocompat/strconv.ts';
import type { FunctionImpl } from './types.ts';
import { matrixArg, scalarArg } from './labels-util.ts';
import { overWindows, overWindowsBy, type WindowKernel } from './window.ts';
import type { RangeSeries } from '../value.ts';

/**
 * The same regression in WASM (core/promql/functions/regression-wasm.ts), installed with
 * `installRegressionKernel` by whoever loads WASM: bit-identical results, several times faster in
 * workerd, where this JS loop runs 3-4x slower than in Node.
 */
export interface RegressionKernel {
  /** Copies a series' columns in for the `regress` calls that follow. */
  load(t: Float64Array, v: Float64Array): void;
  /** linearRegression over samples [lo, hi) of the loaded series. */
  regress(lo: number, hi: number, interceptTime: number): [slope: number, intercept: number];
  /**
   * linearRegression over every window [from[i], to[i]) of the loaded series with at least two
   * samples, at intercept time at[i] (the window's first sample time when `at` is undefined),
   * into slope[i] and intercept[i] (other steps' entries are unspecified). One call per series.
   */
  regressWindows(
    from: Int32Array,
    to: Int32Array,
    at: Float64Array | undefined,
    slope: Float64Array,
    intercept: Float64Array,
  ): void;
}

let kernel: RegressionKernel | undefined;

/** Process- or isolate-wide; `undefined` uninstalls. */
export function installRegressionKernel(k: RegressionKernel | undefined): void {
  kernel = k;
}

/**
 * A window kernel giving `pick(slope, intercept, step)` of each window's regression at intercept
 * time `at[step]` (the first sample's time when undefined): through the installed kernel, all of
 * a series' windows in one call, when there is one.
 */
function regressionKernel(
  steps: number,
  at: Float64Array | undefined,
  pick: (slope: number, intercept: number, step: number) => number,
): (s: RangeSeries, from: Int32Array, to: Int32Array) => WindowKernel {
  const slope = new Float64Array(steps);
  const intercept = new Float64Array(steps);
  return (s, from, to) => {
    const k = kernel;
    if (k === undefined) {
      return (t, v, lo, hi, i) => {
        if (hi - lo < 2) return undefined;
        const [m, b] = linearRegression(t, v, lo, hi, at === undefined ? t[lo]! : at[i]!);
        return pick(m, b, i);
      };
    }
    k.load(s.t.subarray(0, s.length), s.v.subarray(0, s.length));
    k.regressWindows(from, to, at, slope, intercept);
    return (_t, _v, lo, hi, i) => (hi - lo < 2 ? undefined : pick(slope[i]!, intercept[i]!, i));
  };
}

/** Slope and intercept (at `interceptTime`, ms) of the least-squares line through samples [lo, hi). */
export function linearRegression(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  interceptTime: number,
): [slope: number, intercept: number] {
  let n = 0;
  // Four compensated sums, Go's kahanSumInc inlined (see over-time.ts).
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = v[lo]!;
  let constY = true;
  for (let k = lo; k < hi; k++) {
    const y = v[k]!;
    if (constY && k > lo && y !== initY) constY = false;
    n += 1.0;
    const x = (t[k]! - interceptTime) / 1e3;
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
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** deriv: slope with the first sample's time as intercept time (keeps x small, prometheus#2674). */
export const deriv: FunctionImpl = (args, ctx) => {
  const m = matrixArg(args, 0);
  return overWindowsBy(
    m,
    ctx,
    regressionKernel(m.windowEnd.length, undefined, (slope) => slope),
  );
};

/** predict_linear: intercept at the evaluation (step) time, not the window end — offset and @ included. */
export const predictLinear: FunctionImpl = (args, ctx) => {
  const duration = scalarArg(args, 1).values;
  const m = matrixArg(args, 0);
  return overWindowsBy(
    m,
    ctx,
    regressionKernel(
      m.windowEnd.length,
      ctx.range.times,
      (slope, intercept, i) => slope * duration[i]! + intercept,
    ),
  );
};

export const holtWinters: FunctionImpl = (args, ctx) => {
  const sfs = scalarArg(args, 1).values;
  const tfs = scalarArg(args, 2).values;
  return overWindows(matrixArg(args, 0), ctx, (_t, v, lo, hi, i) => {
    const sf = sfs[i]!;
    const tf = tfs[i]!;
    // Checked per call, as Prometheus does: only steps with samples can fail (NaN passes).
    if (sf <= 0 || sf >= 1) {
      throw new ExecutionError(
        `invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFormatFloat(sf, 'f', 6)}`,
      );
    }
    if (tf <= 0 || tf >= 1) {
      throw new ExecutionError(
        `invalid trend factor. Expected: 0 < tf < 1, got: ${goFormatFloat(tf, 'f', 6)}`,
      );
    }
    const l = hi - lo;
    if (l < 2) return undefined;
    let s0 = 0;
    let s1 = v[lo]!;
    let b = v[lo + 1]! - v[lo]!;
    for (let k = 1; k < l; k++) {
      const x = sf * v[lo + k]!;
      // calcTrendValue(k-1, …): the first trend is the raw difference.
      if (k - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
      const y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  });
};
