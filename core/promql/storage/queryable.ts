/**
 * @module core/promql/storage/queryable — the storage interface the PromQL engine reads from
 * (Prometheus storage.Queryable/Querier.Select, reduced to what the engine needs). A select is a
 * stream of series batches: the engine turns each batch into step values and lets it go, so a
 * query holds its output and one batch of input, not every raw sample it reads.
 */
import type { Labels } from '../../labels/labels.ts';
import type { Matcher } from '../../labels/matcher.ts';

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
  /**
   * The only instants (ascending) the selector is read at, each as a vector selector reads it:
   * the last sample at or before it. A queryable may then return just those samples, and the
   * selection comes out the same. Set only for a selector evaluated at the query's own steps.
   */
  readonly pickAt?: Float64Array;
}

/**
 * Raw samples of one series, ascending by time, no two with the same time. Stale markers
 * (value.StaleNaN) are INCLUDED: the engine needs them to end a series' lookback.
 */
export interface RawSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /**
   * Downsampled data: how many raw samples each sample stands for (its window's count aggregate),
   * so count_over_time and avg_over_time answer as over the raw samples. Absent: one each.
   */
  readonly counts?: Float64Array;
}

/**
 * The series of one select, in batches: sorted by labels (compareLabels) across batches, unique
 * label sets. A batch belongs to the consumer once handed out.
 */
export interface SeriesSet extends AsyncIterable<readonly RawSeries[]> {
  /** Non-fatal problems (partial responses) seen so far; all of them once the stream has ended. */
  readonly warnings: readonly string[];
}

export interface Queryable {
  /** Series matching all matchers, with the samples inside [hints.start, hints.end]. */
  select(matchers: readonly Matcher[], hints: SelectHints): SeriesSet;
}

/** A SeriesSet over series already in memory, handed out in batches of `batchSize`. */
export function seriesSetOf(series: readonly RawSeries[], batchSize = 1024): SeriesSet {
  return {
    warnings: [],
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < series.length; i += batchSize) yield series.slice(i, i + batchSize);
    },
  };
}

/** Every series of a set, in order (tests and callers that need them all at once). */
export async function allSeries(set: SeriesSet): Promise<RawSeries[]> {
  const out: RawSeries[] = [];
  for await (const batch of set) for (const s of batch) out.push(s);
  return out;
}
