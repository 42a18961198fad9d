/**
 * @module core/promql/queryable — the storage interface the PromQL engine reads from
 * (Prometheus storage.Queryable/Querier.Select, reduced to what the engine needs).
 */
import type { Labels } from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';

/** Prometheus storage.SelectHints: the time range and context one selector needs. Times in ms. */
export interface SelectHints {
  /** Earliest sample time needed (inclusive). */
  readonly start: number;
  /** Latest sample time needed (inclusive). */
  readonly end: number;
  /** Query or subquery step in ms (0 for instant queries). */
  readonly step?: number;
  /** Range of the enclosing matrix selector in ms (0 for instant vector selectors). */
  readonly range?: number;
  /** Name of the function or aggregation the selector feeds, when there is one. */
  readonly func?: string;
  /** True when `grouping` are `by` labels, false for `without`. */
  readonly by?: boolean;
  readonly grouping?: readonly string[];
  /** Aborted when the query times out or is canceled: a store should stop its I/O. */
  readonly signal?: AbortSignal;
}

/**
 * Raw samples of one series, ascending by time, no two with the same time. Stale markers
 * (value.StaleNaN) are INCLUDED: the engine needs them to end a series' lookback.
 */
export interface RawSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export interface RawSeriesSet {
  /** Sorted by labels (compareLabels), unique label sets. */
  readonly series: readonly RawSeries[];
  /** Non-fatal problems (partial responses) the API reports as warnings. */
  readonly warnings: readonly string[];
}

export interface Queryable {
  /** Series matching all matchers, with the samples inside [hints.start, hints.end]. */
  select(matchers: readonly Matcher[], hints: SelectHints): Promise<RawSeriesSet>;
}
