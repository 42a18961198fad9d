/**
 * @module core/promql/functions/window — the sliding-window machinery shared by range-vector functions.
 *
 * For each series, two pointers walk the samples once across all steps: step i looks at the
 * closed interval [windowEnd[i] - range, windowEnd[i]] (Prometheus 2.x keeps both ends), i.e. the
 * sample indices [from[i], to[i]). windowEnd is non-decreasing, so both pointers only move forward
 * and the bounds cost O(samples + steps) per series, not O(samples × steps).
 */
import { ColumnArena, columnBytes } from '../column-arena.ts';
import { dropMetricName } from './labels-util.ts';
import type {
  FunctionContext,
  MatrixValue,
  RangeSeries,
  StepSeries,
  VectorValue,
} from '../value.ts';

/** Fills from/to with the [from, to) sample indices of each step's window. */
export function windowBounds(
  s: RangeSeries,
  windowEnd: Float64Array,
  range: number,
  from: Int32Array,
  to: Int32Array,
): void {
  const t = s.t;
  const n = s.length;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < windowEnd.length; i++) {
    const end = windowEnd[i]!;
    const start = end - range;
    while (lo < n && t[lo]! < start) lo++;
    if (hi < lo) hi = lo;
    while (hi < n && t[hi]! <= end) hi++;
    from[i] = lo;
    to[i] = hi;
  }
}

/**
 * Computes one output value from the samples [lo, hi) of a series (hi > lo) at step `step`,
 * or `undefined` when Prometheus drops the element (e.g. fewer than two samples for rate).
 */
export type WindowKernel = (
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  step: number,
) => number | undefined;

export interface OverWindowsOptions {
  /** last_over_time keeps the metric name; every other range function drops it. */
  readonly keepName?: boolean;
}

/**
 * Runs `kernel` for every series and every step whose window is non-empty (Prometheus never calls a
 * range function on an empty window) and collects the outputs column-wise. Series with no output
 * at any step are left out, as Prometheus leaves out series without points.
 */
export function overWindows(
  m: MatrixValue,
  ctx: FunctionContext,
  kernel: WindowKernel,
  opts: OverWindowsOptions = {},
): VectorValue {
  return overWindowsBy(m, ctx, () => kernel, opts);
}

/**
 * Like overWindows, with a fresh kernel per series: kernels that carry state from one step to the
 * next (monotonic deques, prefix counts) build it here, and batch kernels compute every step's
 * window (the series' [from[i], to[i]) bounds) at once.
 */
export function overWindowsBy(
  m: MatrixValue,
  _ctx: FunctionContext,
  makeKernel: (s: RangeSeries, from: Int32Array, to: Int32Array) => WindowKernel,
  opts: OverWindowsOptions = {},
): VectorValue {
  const steps = m.windowEnd.length;
  const from = new Int32Array(steps);
  const to = new Int32Array(steps);
  const out: StepSeries[] = [];
  const arena = new ColumnArena(columnBytes(m.series.length, steps));
  for (const s of m.series) {
    windowBounds(s, m.windowEnd, m.range, from, to);
    const kernel = makeKernel(s, from, to);
    let values: Float64Array | undefined;
    let present: Uint8Array | undefined;
    for (let i = 0; i < steps; i++) {
      const lo = from[i]!;
      const hi = to[i]!;
      if (hi <= lo) continue;
      const r = kernel(s.t, s.v, lo, hi, i);
      if (r === undefined) continue;
      if (values === undefined || present === undefined) {
        values = arena.f64(steps);
        present = arena.u8(steps);
      }
      values[i] = r;
      present[i] = 1;
    }
    if (values !== undefined && present !== undefined) {
      out.push({ labels: opts.keepName ? s.labels : dropMetricName(s.labels), values, present });
    }
  }
  return { type: 'vector', series: out };
}

/**
 * For kernels that compute a whole series at once (WASM, one call per series): `fill` gets the
 * series' samples (columns cut to its length), writes every step's value and presence (1 or 0) and returns how many steps have a value; series with
 * none are left out, as overWindows leaves them out.
 */
export function overSeries(
  m: MatrixValue,
  fill: (t: Float64Array, v: Float64Array, values: Float64Array, present: Uint8Array) => number,
  opts: OverWindowsOptions = {},
): VectorValue {
  const steps = m.windowEnd.length;
  const out: StepSeries[] = [];
  const arena = new ColumnArena(columnBytes(m.series.length, steps));
  let values = arena.f64(steps);
  let present = arena.u8(steps);
  for (const s of m.series) {
    const n = s.length;
    if (fill(s.t.subarray(0, n), s.v.subarray(0, n), values, present) === 0) continue;
    out.push({ labels: opts.keepName ? s.labels : dropMetricName(s.labels), values, present });
    values = arena.f64(steps);
    present = arena.u8(steps);
  }
  return { type: 'vector', series: out };
}
