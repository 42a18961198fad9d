/**
 * @module core/promql/engine/selector — instant and range vector selection over raw samples,
 * for all steps at once.
 *
 * Instant selector (Prometheus 2.42 vectorSelectorSingle): at step t the reference time is
 * r = t - offset; the newest sample with time <= r is taken if its time >= r - lookback (both ends
 * closed in 2.42) and it is not a stale marker (a stale newest sample hides older ones).
 * Range selector (matrixIterSlice): samples in the closed window [r - range, r], stale markers
 * dropped. Reference times never decrease across steps, so one forward pointer per series
 * replaces a seek per step.
 */
import { isStaleNaN } from '../../chunkenc/stale.ts';
import { ColumnArena, columnBytes } from '../column-arena.ts';
import type { RawSeries } from '../storage/queryable.ts';
import {
  OUTPUT_STEP_BYTES,
  type MatrixValue,
  type RangeSeries,
  type StepSeries,
} from '../value.ts';
import type { QueryLimits } from './limits.ts';

export interface VectorSelectOptions {
  /** Effective offset in ms: step t reads at t - offset. */
  readonly offset: number;
  readonly lookbackDelta: number;
  /** When set, every step reads at this time (timestamp() over `x @ t`). */
  readonly fixedRef?: number;
  /** Record each selected sample's own timestamp (for timestamp()). */
  readonly withTimestamps?: boolean;
}

/** Steps of selection between two deadline checks (a subquery can have millions of steps). */
const STEPS_PER_CHECK = 1 << 16;

/**
 * The instant selector at every step of `times` for a batch of series (those with no step
 * selected are left out); the batch's columns come from one arena.
 */
export function selectVector(
  raw: readonly RawSeries[],
  times: Float64Array,
  opts: VectorSelectOptions,
  limits: QueryLimits,
): StepSeries[] {
  const count = times.length;
  const out: StepSeries[] = [];
  // The batch's selected series are the node's output together (or folded away together).
  const arena = new ColumnArena(
    columnBytes(raw.length, count) + (opts.withTimestamps ? raw.length * count * 8 : 0),
  );
  eachSelected(
    raw,
    times,
    opts,
    limits,
    () => ({
      values: arena.f64(count),
      present: arena.u8(count),
      stamps: opts.withTimestamps ? arena.f64(count) : undefined,
    }),
    (s) => out.push(s),
  );
  return out;
}

/**
 * selectVector for a consumer that folds each series as it comes (an aggregation): every series
 * is handed to `use` in the same columns, overwritten by the next one, so a batch allocates
 * nothing per series. `use` must not keep a series' columns.
 */
export function foldVector(
  raw: readonly RawSeries[],
  times: Float64Array,
  opts: VectorSelectOptions,
  limits: QueryLimits,
  use: (s: StepSeries) => void,
): void {
  const count = times.length;
  const values = new Float64Array(count);
  const present = new Uint8Array(count);
  const stamps = opts.withTimestamps ? new Float64Array(count) : undefined;
  const columns = { values, present, stamps };
  eachSelected(
    raw,
    times,
    opts,
    limits,
    () => {
      values.fill(0);
      present.fill(0);
      stamps?.fill(0);
      return columns;
    },
    use,
  );
}

interface StepColumns {
  readonly values: Float64Array;
  readonly present: Uint8Array;
  readonly stamps: Float64Array | undefined;
}

/** Each series with a selected step, in order, in zeroed columns from `columns`. */
function eachSelected(
  raw: readonly RawSeries[],
  times: Float64Array,
  opts: VectorSelectOptions,
  limits: QueryLimits,
  columns: () => StepColumns,
  use: (s: StepSeries) => void,
): void {
  const count = times.length;
  const stepBytes = opts.withTimestamps ? OUTPUT_STEP_BYTES + 8 : OUTPUT_STEP_BYTES;
  const refs = referenceTimes(times, opts);
  const { lookbackDelta } = opts;
  let work = 0;
  for (let s = 0; s < raw.length; s++) {
    work += count + 1;
    if (work >= STEPS_PER_CHECK || (s & 255) === 255) {
      limits.check('expression evaluation');
      work = 0;
    }
    const { t, v, labels } = raw[s]!;
    const first = firstSelected(t, v, refs, lookbackDelta);
    if (first === count) continue;
    // Charged before allocation: the node's result replaces this charge once it is done.
    limits.addBytes(count * stepBytes);
    const { values, present, stamps } = columns();
    let got = 0;
    for (let from = first; from < count; from += STEPS_PER_CHECK) {
      if (from > first) limits.check('expression evaluation');
      const to = Math.min(count, from + STEPS_PER_CHECK);
      got += selectSteps(t, v, refs, lookbackDelta, from, to, values, present, stamps);
    }
    limits.add(got);
    use(
      stamps === undefined
        ? { labels, values, present }
        : { labels, values, present, timestamps: stamps },
    );
  }
}

/**
 * Each step's reference time: the step's time less the offset, or the `@` time. Computed once as
 * numbers so the per-series loops compare numbers only (a `fixedRef ?? times[i] - offset` in the
 * loop made the optimizing compiler box a heap number at every step).
 */
function referenceTimes(times: Float64Array, opts: VectorSelectOptions): Float64Array {
  const refs = new Float64Array(times.length);
  const { offset, fixedRef } = opts;
  if (fixedRef !== undefined) refs.fill(fixedRef);
  else for (let i = 0; i < times.length; i++) refs[i] = times[i]! - offset;
  return refs;
}

/** The first step at which the series has a sample to select (`refs.length` if none). */
function firstSelected(
  t: Float64Array,
  v: Float64Array,
  refs: Float64Array,
  lookbackDelta: number,
): number {
  const n = t.length;
  let j = 0;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    while (j < n && t[j]! <= ref) j++;
    const k = j - 1;
    if (k >= 0 && t[k]! >= ref - lookbackDelta && !isStaleNaN(v, k)) return i;
    // Reference times never decrease: past the last sample's lookback nothing more is selected.
    if (j === n && (k < 0 || t[k]! < ref - lookbackDelta)) return refs.length;
  }
  return refs.length;
}

/** Selects steps [from, to) of one series (a tight loop apart); returns how many it filled. */
function selectSteps(
  t: Float64Array,
  v: Float64Array,
  refs: Float64Array,
  lookbackDelta: number,
  from: number,
  to: number,
  values: Float64Array,
  present: Uint8Array,
  stamps: Float64Array | undefined,
): number {
  const n = t.length;
  let got = 0;
  let j = 0; // samples with time <= the step's reference time
  for (let i = from; i < to; i++) {
    const ref = refs[i]!;
    while (j < n && t[j]! <= ref) j++;
    const k = j - 1;
    if (k < 0 || t[k]! < ref - lookbackDelta || isStaleNaN(v, k)) continue;
    values[i] = v[k]!;
    present[i] = 1;
    if (stamps !== undefined) stamps[i] = t[k]!;
    got++;
  }
  return got;
}

/**
 * Raw samples per series for range functions: stale markers removed, trimmed to the union of all
 * windows. Series with no sample in any window are left out. Returns the largest window of any
 * series, which is what Prometheus holds while it runs a range function; the caller charges it.
 */
export function selectMatrix(
  raw: readonly RawSeries[],
  windowEnd: Float64Array,
  range: number,
  limits: QueryLimits,
): { value: MatrixValue; maxWindow: number } {
  const series: RangeSeries[] = [];
  const steps = windowEnd.length;
  let maxWindow = 0;
  if (steps > 0) {
    const lo = windowEnd[0]! - range;
    const hi = windowEnd[steps - 1]!;
    for (let s = 0; s < raw.length; s++) {
      if ((s & 255) === 255 || steps >= STEPS_PER_CHECK) limits.check('expression evaluation');
      const { t, v, labels, counts } = raw[s]!;
      // Samples outside [from, to) are outside [lo, hi]; usually none inside are (a store's
      // range is the selector's, plus lookback), and the window is a view, not a copy.
      let from = 0;
      while (from < t.length && t[from]! < lo) from++;
      let to = t.length;
      while (to > from && t[to - 1]! > hi) to--;
      let dropped = 0;
      for (let i = from; i < to; i++) if (t[i]! < lo || t[i]! > hi || isStaleNaN(v, i)) dropped++;
      const keep = to - from - dropped;
      if (keep === 0) continue;
      let ot = t;
      let ov = v;
      let oc = counts;
      if (dropped === 0) {
        if (keep !== t.length) {
          ot = t.subarray(from, to);
          ov = v.subarray(from, to);
          oc = counts?.subarray(from, to);
        }
      } else {
        ot = new Float64Array(keep);
        ov = new Float64Array(keep);
        oc = counts && new Float64Array(keep);
        let w = 0;
        for (let i = from; i < to; i++) {
          if (t[i]! >= lo && t[i]! <= hi && !isStaleNaN(v, i)) {
            ot[w] = t[i]!;
            ov[w] = v[i]!;
            if (oc) oc[w] = counts![i]!;
            w++;
          }
        }
      }
      const rs: RangeSeries = oc
        ? { labels, t: ot, v: ov, length: keep, counts: oc }
        : { labels, t: ot, v: ov, length: keep };
      const w = maxWindowCount(rs, windowEnd, range);
      if (w === 0) continue;
      if (w > maxWindow) maxWindow = w;
      series.push(rs);
    }
  }
  return { value: { type: 'matrix', series, range, windowEnd }, maxWindow };
}

/** Largest number of samples any single window of this series holds (two pointers). */
export function maxWindowCount(s: RangeSeries, windowEnd: Float64Array, range: number): number {
  let lo = 0;
  let hi = 0;
  let max = 0;
  for (let i = 0; i < windowEnd.length; i++) {
    const end = windowEnd[i]!;
    while (hi < s.length && s.t[hi]! <= end) hi++;
    while (lo < hi && s.t[lo]! < end - range) lo++;
    if (hi - lo > max) max = hi - lo;
  }
  return max;
}

/** The samples of one window, for a top-level range selector in an instant query. */
export function windowSlice(
  s: RangeSeries,
  end: number,
  range: number,
): { t: Float64Array; v: Float64Array } {
  let lo = 0;
  while (lo < s.length && s.t[lo]! < end - range) lo++;
  let hi = lo;
  while (hi < s.length && s.t[hi]! <= end) hi++;
  return { t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) };
}
