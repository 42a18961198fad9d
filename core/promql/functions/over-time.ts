/**
 * @module core/promql/functions/over-time — the `<aggr>_over_time` family plus changes and resets.
 *
 * Sums, means and variances are recomputed per window in sample order with Prometheus's
 * compensated summation: a running sum with subtraction would drift from Prometheus's bits.
 * count/last/present are O(1) per step from the window bounds; min/max use a monotonic deque and
 * changes/resets prefix counts, which give exactly Prometheus's answers in O(samples + steps).
 */
import type { FunctionImpl } from './types.ts';
import type { RangeSeries } from '../value.ts';
import { quantileOf } from '../quantile.ts';
import { matrixArg, scalarArg } from './labels-util.ts';
import { overSeries, overWindows, overWindowsBy, type WindowKernel } from './window.ts';
import type { MatrixValue, VectorValue } from '../value.ts';

/** The functions with a whole-series kernel. */
export type OverTimeFunction = 'avg' | 'sum' | 'stdvar' | 'stddev';

/**
 * avg/sum/stdvar/stddev_over_time of a whole series in WASM (over-time-wasm.ts), installed with
 * `installOverTimeKernel` by whoever loads WASM: bit-identical to the JS windows below, several
 * times faster in workerd, where JS number loops run 3-4x slower than in Node.
 */
export interface OverTimeKernel {
  /**
   * `fn` of samples (t, v) over every step's window [windowEnd[i] - range, windowEnd[i]]:
   * values[i], and present[i] = 1 where the window has a sample (0 elsewhere). Returns the number
   * of steps with a value.
   */
  overTime(
    fn: OverTimeFunction,
    t: Float64Array,
    v: Float64Array,
    windowEnd: Float64Array,
    range: number,
    values: Float64Array,
    present: Uint8Array,
  ): number;
}

let overTimeKernel: OverTimeKernel | undefined;

/** Process- or isolate-wide; `undefined` uninstalls. */
export function installOverTimeKernel(k: OverTimeKernel | undefined): void {
  overTimeKernel = k;
}

/** Through the installed kernel, or undefined without one (or for downsampled series). */
function throughKernel(fn: OverTimeFunction, m: MatrixValue): VectorValue | undefined {
  const k = overTimeKernel;
  if (k === undefined || m.series.some((s) => s.counts !== undefined)) return undefined;
  return overSeries(m, (t, v, values, present) =>
    k.overTime(fn, t, v, m.windowEnd, m.range, values, present),
  );
}

// The compensated sums below inline Go's kahanSumInc(inc, sum, c) with locals: `t = sum + inc`, then
// the rounding error of the smaller operand goes into c (Neumaier), in exactly Go's operation order.

/** Prometheus 2.42 avg_over_time: incremental mean with Kahan compensation and its Inf handling. */
export function avgWindow(v: Float64Array, lo: number, hi: number): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (let k = lo; k < hi; k++) {
    const x = v[k]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      // An infinite mean stays as it is for same-signed Inf and finite inputs: the update below
      // would compute Inf - Inf = NaN.
      if ((x === Infinity || x === -Infinity) && mean > 0 === x > 0) continue;
      if (x !== Infinity && x !== -Infinity && x === x) continue;
    }
    const inc = x / count - mean / count;
    const t = mean + inc;
    if (Math.abs(mean) >= Math.abs(inc)) c += mean - t + inc;
    else c += inc - t + mean;
    mean = t;
  }
  if (mean === Infinity || mean === -Infinity) return mean;
  return mean + c;
}

export function sumWindow(v: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  let c = 0;
  for (let k = lo; k < hi; k++) {
    const inc = v[k]!;
    const t = sum + inc;
    if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
    else c += inc - t + sum;
    sum = t;
  }
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + c;
}

/** Prometheus 2.42 stdvar_over_time: Welford's update with both accumulators compensated. */
export function stdvarWindow(v: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let k = lo; k < hi; k++) {
    const x = v[k]!;
    count++;
    const delta = x - (mean + cMean);
    let inc = delta / count;
    let t = mean + inc;
    if (Math.abs(mean) >= Math.abs(inc)) cMean += mean - t + inc;
    else cMean += inc - t + mean;
    mean = t;
    inc = delta * (x - (mean + cMean));
    t = aux + inc;
    if (Math.abs(aux) >= Math.abs(inc)) cAux += aux - t + inc;
    else cAux += inc - t + aux;
    aux = t;
  }
  return (aux + cAux) / count;
}

/** On downsampled data (window averages with counts) the mean weighted by the raw samples behind. */
export const avgOverTime: FunctionImpl = (args, ctx) =>
  throughKernel('avg', matrixArg(args, 0)) ??
  overWindowsBy(matrixArg(args, 0), ctx, (s) => {
    const counts = s.counts;
    if (!counts) return (_t, v, lo, hi) => avgWindow(v, lo, hi);
    return (_t, v, lo, hi) => weightedMean(v, counts, lo, hi);
  });

function weightedMean(v: Float64Array, counts: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  let n = 0;
  for (let k = lo; k < hi; k++) {
    sum += v[k]! * counts[k]!;
    n += counts[k]!;
  }
  return sum / n;
}

export const sumOverTime: FunctionImpl = (args, ctx) =>
  throughKernel('sum', matrixArg(args, 0)) ??
  overWindows(matrixArg(args, 0), ctx, (_t, v, lo, hi) => sumWindow(v, lo, hi));

/** On downsampled data (counts present) the raw samples behind the window's samples. */
export const countOverTime: FunctionImpl = (args, ctx) =>
  overWindowsBy(matrixArg(args, 0), ctx, (s) => {
    const counts = s.counts;
    if (!counts) return (_t, _v, lo, hi) => hi - lo;
    return (_t, _v, lo, hi) => sumWindow(counts, lo, hi);
  });

export const presentOverTime: FunctionImpl = (args, ctx) =>
  overWindows(matrixArg(args, 0), ctx, () => 1);

/** last_over_time acts like an offset and keeps the metric name. */
export const lastOverTime: FunctionImpl = (args, ctx) =>
  overWindows(matrixArg(args, 0), ctx, (_t, v, _lo, hi) => v[hi - 1]!, { keepName: true });

export const stdvarOverTime: FunctionImpl = (args, ctx) =>
  throughKernel('stdvar', matrixArg(args, 0)) ??
  overWindows(matrixArg(args, 0), ctx, (_t, v, lo, hi) => stdvarWindow(v, lo, hi));

export const stddevOverTime: FunctionImpl = (args, ctx) =>
  throughKernel('stddev', matrixArg(args, 0)) ??
  overWindows(matrixArg(args, 0), ctx, (_t, v, lo, hi) => Math.sqrt(stdvarWindow(v, lo, hi)));

export const quantileOverTime: FunctionImpl = (args, ctx) => {
  const q = scalarArg(args, 0).values;
  let scratch = new Float64Array(16);
  return overWindows(matrixArg(args, 1), ctx, (_t, v, lo, hi, i) => {
    const n = hi - lo;
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    for (let k = lo; k < hi; k++) scratch[k - lo] = v[k]!;
    return quantileOf(q[i]!, scratch, n);
  });
};

/**
 * Running max (or min) per window with a monotonic deque of non-NaN sample indices. Prometheus's
 * loop (`if v > max || isNaN(max) { max = v }`) yields the first occurrence of the largest non-NaN
 * value, or NaN when every sample is NaN; popping only strictly smaller tails keeps the earliest of
 * equal values (0 and -0 included) at the front, which is the same sample.
 */
function extremeKernel(isMax: boolean): (s: RangeSeries) => WindowKernel {
  return (s) => {
    const dq = new Int32Array(Math.max(1, s.length));
    let head = 0;
    let tail = 0;
    let pushed = 0;
    return (_t, v, lo, hi) => {
      if (pushed < lo) pushed = lo;
      for (; pushed < hi; pushed++) {
        const x = v[pushed]!;
        if (Number.isNaN(x)) continue;
        if (isMax) while (tail > head && v[dq[tail - 1]!]! < x) tail--;
        else while (tail > head && v[dq[tail - 1]!]! > x) tail--;
        dq[tail++] = pushed;
      }
      while (tail > head && dq[head]! < lo) head++;
      return tail > head ? v[dq[head]!]! : NaN;
    };
  };
}

export const maxOverTime: FunctionImpl = (args, ctx) =>
  overWindowsBy(matrixArg(args, 0), ctx, extremeKernel(true));
export const minOverTime: FunctionImpl = (args, ctx) =>
  overWindowsBy(matrixArg(args, 0), ctx, extremeKernel(false));

/** counts[k] = number of transitions j in 1..k for which `isEvent(v[j-1], v[j])`. */
function prefixKernel(
  isEvent: (prev: number, cur: number) => boolean,
): (s: RangeSeries) => WindowKernel {
  return (s) => {
    const n = s.length;
    const counts = new Float64Array(Math.max(1, n));
    for (let k = 1; k < n; k++)
      counts[k] = counts[k - 1]! + (isEvent(s.v[k - 1]!, s.v[k]!) ? 1 : 0);
    return (_t, _v, lo, hi) => counts[hi - 1]! - counts[lo]!;
  };
}

export const changes: FunctionImpl = (args, ctx) =>
  overWindowsBy(
    matrixArg(args, 0),
    ctx,
    prefixKernel((prev, cur) => cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))),
  );

export const resets: FunctionImpl = (args, ctx) =>
  overWindowsBy(
    matrixArg(args, 0),
    ctx,
    prefixKernel((prev, cur) => cur < prev),
  );
