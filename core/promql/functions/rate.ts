/**
 * @module core/promql/functions/rate — rate, increase, delta (Prometheus 2.42 `extrapolatedRate`)
 * and irate, idelta (`instantValue`).
 *
 * Times arrive in ms and are turned into seconds with `/1000` exactly where the Go code divides, in
 * the same operation order, so results match Prometheus bit for bit.
 */
import { goDurationSeconds } from '../../gocompat/duration.ts';
import type { FunctionImpl } from './types.ts';
import { matrixArg } from './labels-util.ts';
import { overSeries, overWindows, overWindowsBy, type WindowKernel } from './window.ts';

/**
 * rate/increase/delta of a whole series in WASM (core/promql/functions/rate-wasm.ts), installed
 * with `installRateKernel` by whoever loads WASM: bit-identical to the JS below, several times
 * faster in workerd, where JS number loops run 3-4x slower than in Node.
 */
export interface RateKernel {
  /**
   * extrapolatedRate of samples (t, v) over every step's window [windowEnd[i] - range,
   * windowEnd[i]]: values[i], and present[i] = 1 where the window has two samples or more (0
   * elsewhere). Returns the number of steps with a value.
   */
  rates(
    t: Float64Array,
    v: Float64Array,
    windowEnd: Float64Array,
    range: number,
    rangeSeconds: number,
    isCounter: boolean,
    isRate: boolean,
    values: Float64Array,
    present: Uint8Array,
  ): number;
}

let rateKernel: RateKernel | undefined;

/** Process- or isolate-wide; `undefined` uninstalls. */
export function installRateKernel(k: RateKernel | undefined): void {
  rateKernel = k;
}

/**
 * extrapolatedRate over samples [lo, hi) of one window [rangeStart, rangeEnd] (ms). Returns
 * undefined for fewer than two samples, as Prometheus drops such elements.
 */
export function extrapolatedRate(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  rangeStart: number,
  rangeEnd: number,
  rangeSeconds: number,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  if (hi - lo < 2) return undefined;
  let resultValue = v[hi - 1]! - v[lo]!;
  if (isCounter) {
    let prev = v[lo]!;
    for (let k = lo + 1; k < hi; k++) {
      const cur = v[k]!;
      if (cur < prev) resultValue += prev;
      prev = cur;
    }
  }
  return extrapolate(
    t,
    v,
    lo,
    hi,
    resultValue,
    rangeStart,
    rangeEnd,
    rangeSeconds,
    isCounter,
    isRate,
  );
}

/**
 * The second half of extrapolatedRate: given the (reset-corrected) increase over samples
 * [lo, hi), extrapolate it towards the window's boundaries.
 */
function extrapolate(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  resultValue: number,
  rangeStart: number,
  rangeEnd: number,
  rangeSeconds: number,
  isCounter: boolean,
  isRate: boolean,
): number {
  const first = v[lo]!;
  let durationToStart = (t[lo]! - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - t[hi - 1]!) / 1000;
  const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (hi - lo - 1);

  if (isCounter && resultValue > 0 && first >= 0) {
    // A counter cannot go below zero: do not extrapolate further back than where it would hit zero.
    const durationToZero = sampledInterval * (first / resultValue);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }

  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  if (durationToStart < extrapolationThreshold) extrapolateToInterval += durationToStart;
  else extrapolateToInterval += averageDurationBetweenSamples / 2;
  if (durationToEnd < extrapolationThreshold) extrapolateToInterval += durationToEnd;
  else extrapolateToInterval += averageDurationBetweenSamples / 2;

  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= rangeSeconds;
  return resultValue * factor;
}

/** Indices k ≥ 1 with v[k] < v[k-1]: where a counter reset (NaN never compares as one). */
export function resetIndices(v: Float64Array, n: number): Int32Array {
  let count = 0;
  for (let k = 1; k < n; k++) if (v[k]! < v[k - 1]!) count++;
  const out = new Int32Array(count);
  for (let k = 1, j = 0; k < n; k++) if (v[k]! < v[k - 1]!) out[j++] = k;
  return out;
}

/**
 * rate/increase/delta over every step. The reset correction visits only the resets inside each
 * window (a cursor over the series' reset list), adding `prev` for each in sample order exactly as
 * Prometheus's loop does, so a step costs O(1 + resets in window) instead of O(samples in window).
 */
function extrapolated(isCounter: boolean, isRate: boolean): FunctionImpl {
  return (args, ctx) => {
    const m = matrixArg(args, 0);
    const range = m.range;
    const rangeSeconds = goDurationSeconds(range);
    const we = m.windowEnd;
    const k = rateKernel;
    if (k !== undefined) {
      return overSeries(m, (t, v, values, present) =>
        k.rates(t, v, we, range, rangeSeconds, isCounter, isRate, values, present),
      );
    }
    return overWindowsBy(m, ctx, (s): WindowKernel => {
      if (!isCounter) {
        return (t, v, lo, hi, i) => {
          if (hi - lo < 2) return undefined;
          const inc = v[hi - 1]! - v[lo]!;
          return extrapolate(
            t,
            v,
            lo,
            hi,
            inc,
            we[i]! - range,
            we[i]!,
            rangeSeconds,
            false,
            isRate,
          );
        };
      }
      const resets = resetIndices(s.v, s.length);
      let p = 0;
      return (t, v, lo, hi, i) => {
        if (hi - lo < 2) return undefined;
        let inc = v[hi - 1]! - v[lo]!;
        while (p < resets.length && resets[p]! <= lo) p++;
        for (let q = p; q < resets.length && resets[q]! < hi; q++) inc += v[resets[q]! - 1]!;
        return extrapolate(t, v, lo, hi, inc, we[i]! - range, we[i]!, rangeSeconds, true, isRate);
      };
    });
  };
}

export const rate: FunctionImpl = extrapolated(true, true);
export const increase: FunctionImpl = extrapolated(true, false);
export const delta: FunctionImpl = extrapolated(false, false);

/** instantValue: the last two samples of the window. */
export function instantValue(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  isRate: boolean,
): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = v[hi - 1]!;
  const previous = v[hi - 2]!;
  let resultValue: number;
  if (isRate && last < previous)
    resultValue = last; // counter reset
  else resultValue = last - previous;
  const sampledInterval = t[hi - 1]! - t[hi - 2]!;
  if (sampledInterval === 0) return undefined;
  if (isRate) resultValue /= sampledInterval / 1000;
  return resultValue;
}

export const irate: FunctionImpl = (args, ctx) =>
  overWindows(matrixArg(args, 0), ctx, (t, v, lo, hi) => instantValue(t, v, lo, hi, true));

export const idelta: FunctionImpl = (args, ctx) =>
  overWindows(matrixArg(args, 0), ctx, (t, v, lo, hi) => instantValue(t, v, lo, hi, false));
