/**
 * @module core/promql/engine/result — query results in Prometheus's shapes (promql.Vector, Scalar,
 * String, Matrix) and their construction from the engine's columnar values.
 */
import { ColumnArena } from '../column-arena.ts';
import { compareLabels, type Labels } from '../../labels/labels.ts';
import type { EvalRange, Value } from '../value.ts';
import { windowSlice } from './selector.ts';

/** One sample of an instant vector; `t` is the evaluation time. */
export interface Sample {
  readonly metric: Labels;
  readonly t: number;
  readonly v: number;
}

/** One series of a matrix: points in ascending time. */
export interface Series {
  readonly metric: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export type QueryValue =
  | { readonly type: 'vector'; readonly samples: Sample[] }
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly v: string }
  | { readonly type: 'matrix'; readonly series: Series[] };

export interface QueryStats {
  /** Samples loaded from storage. */
  readonly loadedSamples: number;
  /** Peak number of samples the engine accounted as held at once. */
  readonly peakSamples: number;
  /** Peak bytes of raw samples and intermediate arrays held at once. */
  readonly peakBytes: number;
}

export interface QueryResult {
  readonly value: QueryValue;
  readonly warnings: readonly string[];
  readonly stats: QueryStats;
}

/** The result of an instant query: vectors stay in evaluation order (Prometheus does not sort them). */
export function instantResult(v: Value, time: number): QueryValue {
  switch (v.type) {
    case 'vector': {
      const samples: Sample[] = [];
      for (const s of v.series)
        if (s.present[0] === 1) samples.push({ metric: s.labels, t: time, v: s.values[0]! });
      return { type: 'vector', samples };
    }
    case 'scalar':
      return { type: 'scalar', t: time, v: v.values[0]! };
    case 'string':
      return { type: 'string', t: time, v: v.value };
    case 'matrix': {
      const series: Series[] = [];
      const end = v.windowEnd[0]!;
      for (const s of v.series) {
        const w = windowSlice(s, end, v.range);
        if (w.t.length > 0) series.push({ metric: s.labels, t: w.t, v: w.v });
      }
      return { type: 'matrix', series };
    }
  }
}

/** The result of a range query: a matrix sorted by labels, points only where a value exists. */
export function rangeResult(v: Value, range: EvalRange): QueryValue {
  const series: Series[] = [];
  if (v.type === 'scalar') {
    series.push({ metric: [], t: range.times.slice(), v: v.values.slice() });
  } else if (v.type === 'vector') {
    const arena = new ColumnArena(v.series.length * range.count * 16);
    for (const s of v.series) {
      let n = 0;
      let first = -1;
      let last = -1;
      for (let i = 0; i < range.count; i++) {
        if (s.present[i] !== 1) continue;
        if (first < 0) first = i;
        last = i;
        n++;
      }
      if (n === 0) continue;
      if (n === last - first + 1) {
        // Values at consecutive steps (most series: every step, or all but the first few of a
        // rate): views on the steps' times, shared by all series, and on the node's own column,
        // not copies (the evaluation is over; nothing changes them now).
        const t = n === range.count ? range.times : range.times.subarray(first, last + 1);
        series.push({ metric: s.labels, t, v: s.values.subarray(first, last + 1) });
        continue;
      }
      const t = arena.f64(n);
      const vals = arena.f64(n);
      let w = 0;
      for (let i = 0; i < range.count; i++) {
        if (s.present[i] !== 1) continue;
        t[w] = range.times[i]!;
        vals[w] = s.values[i]!;
        w++;
      }
      series.push({ metric: s.labels, t, v: vals });
    }
    series.sort((a, b) => compareLabels(a.metric, b.metric));
  } else {
    throw new Error(`range query produced a ${v.type}`);
  }
  return { type: 'matrix', series };
}
