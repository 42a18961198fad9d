/**
 * @module core/promql/functions/regression — deriv, predict_linear (Prometheus 2.42
 * `linearRegression`, Kahan-compensated sums, x in seconds relative to an intercept time) and
 * holt_winters (double exponential smoothing with its argument checks).
 */
import { ExecutionError } from '../../errors.ts';
import type { FunctionImpl } from './types.ts';
import { kahanAdd } from './kahan.ts';
import { matrixArg, scalarArg } from './labels-util.ts';
import { overWindows } from './window.ts';

const sx = new Float64Array(2);
const sy = new Float64Array(2);
const sxy = new Float64Array(2);
const sx2 = new Float64Array(2);

/** Slope and intercept (at `interceptTime`, ms) of the least-squares line through samples [lo, hi). */
export function linearRegression(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  interceptTime: number,
): [slope: number, intercept: number] {
  let n = 0;
  sx.fill(0);
  sy.fill(0);
  sxy.fill(0);
  sx2.fill(0);
  const initY = v[lo]!;
  let constY = true;
  for (let k = lo; k < hi; k++) {
    const y = v[k]!;
    if (constY && k > lo && y !== initY) constY = false;
    n += 1.0;
    const x = (t[k]! - interceptTime) / 1e3;
    kahanAdd(sx, x);
    kahanAdd(sy, y);
    kahanAdd(sxy, x * y);
    kahanAdd(sx2, x * x);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  const sumX = sx[0]! + sx[1]!;
  const sumY = sy[0]! + sy[1]!;
  const sumXY = sxy[0]! + sxy[1]!;
  const sumX2 = sx2[0]! + sx2[1]!;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** deriv: slope with the first sample's time as intercept time (keeps x small, prometheus#2674). */
export const deriv: FunctionImpl = (args, ctx) =>
  overWindows(matrixArg(args, 0), ctx, (t, v, lo, hi) => {
    if (hi - lo < 2) return undefined;
    return linearRegression(t, v, lo, hi, t[lo]!)[0];
  });

/** predict_linear: intercept at the evaluation (step) time, not the window end — offset and @ included. */
export const predictLinear: FunctionImpl = (args, ctx) => {
  const duration = scalarArg(args, 1).values;
  const times = ctx.range.times;
  return overWindows(matrixArg(args, 0), ctx, (t, v, lo, hi, i) => {
    if (hi - lo < 2) return undefined;
    const [slope, intercept] = linearRegression(t, v, lo, hi, times[i]!);
    return slope * duration[i]! + intercept;
  });
};

/** Go's `%f` verb: six decimals, `NaN`, `+Inf`, `-Inf`. */
export function formatGoF(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Math.abs(x) < 1e21) return x.toFixed(6);
  return BigInt(Math.trunc(x)).toString() + '.000000';
}

export const holtWinters: FunctionImpl = (args, ctx) => {
  const sfs = scalarArg(args, 1).values;
  const tfs = scalarArg(args, 2).values;
  return overWindows(matrixArg(args, 0), ctx, (_t, v, lo, hi, i) => {
    const sf = sfs[i]!;
    const tf = tfs[i]!;
    // Checked per call, as Prometheus does: only steps with samples can fail (NaN passes).
    if (sf <= 0 || sf >= 1) {
      throw new ExecutionError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${formatGoF(sf)}`);
    }
    if (tf <= 0 || tf >= 1) {
      throw new ExecutionError(`invalid trend factor. Expected: 0 < tf < 1, got: ${formatGoF(tf)}`);
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
