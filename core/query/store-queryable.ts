/**
 * @module core/query/store-queryable — the PromQL engine's Queryable over any Store (usually the
 * proxy): one StoreAPI Series call per selector, its frames read into series batches (decoded,
 * merged, replicas deduplicated) as the engine pulls them.
 */
import { isCounterFunc } from '../dedup/dedup-set.ts';
import type { Matcher } from '../labels/matcher.ts';
import type { Queryable, SelectHints, SeriesSet } from '../promql/storage/queryable.ts';
import type { StoreStats } from '../storeapi/stats.ts';
import type { PartialResponseStrategy, Store } from '../storeapi/store.ts';
import { aggrModeFor, aggregatesFor } from './aggr-read.ts';
import type { BatchDecoder } from './decoder.ts';
import { readSeries } from './series-reader.ts';

export interface StoreQueryableOptions {
  readonly decoder: BatchDecoder;
  /** Labels that tell HA replicas apart; empty = no deduplication (`dedup=false`). */
  readonly replicaLabels: ReadonlySet<string>;
  readonly partialResponseStrategy: PartialResponseStrategy;
  /** Highest downsampling resolution the query accepts, ms (`max_source_resolution`). */
  readonly maxResolutionWindow?: number;
  readonly maxSamples?: number;
  readonly maxSeries?: number;
  readonly signal?: AbortSignal;
  /** Where the stores' cost reports are summed (`stats=all`). */
  readonly stats?: StoreStats;
}

export class StoreQueryable implements Queryable {
  readonly #store: Store;
  readonly #opts: StoreQueryableOptions;

  constructor(store: Store, options: StoreQueryableOptions) {
    this.#store = store;
    this.#opts = options;
  }

  select(matchers: readonly Matcher[], hints: SelectHints): SeriesSet {
    const o = this.#opts;
    const signal = combine(o.signal, hints.signal);
    const aggr = aggrModeFor(hints.func);
    const frames = this.#store.series(
      {
        minTime: hints.start,
        maxTime: hints.end,
        matchers,
        maxResolutionWindow: o.maxResolutionWindow ?? 0,
        aggregates: aggregatesFor(aggr),
        partialResponseStrategy: o.partialResponseStrategy,
        skipChunks: false,
        ...(hints.step ? { step: hints.step } : {}),
        ...(hints.range ? { range: hints.range } : {}),
        ...(hints.func ? { func: hints.func } : {}),
        ...(o.replicaLabels.size > 0 ? { withoutReplicaLabels: [...o.replicaLabels] } : {}),
      },
      signal,
    );
    return readSeries(frames, {
      mint: hints.start,
      maxt: hints.end,
      decoder: o.decoder,
      replicaLabels: o.replicaLabels,
      aggr,
      counter: isCounterFunc(hints.func),
      ...(hints.pickAt ? { pickAt: hints.pickAt } : {}),
      ...(o.maxSamples ? { maxSamples: o.maxSamples } : {}),
      ...(o.maxSeries ? { maxSeries: o.maxSeries } : {}),
      ...(o.stats ? { stats: o.stats } : {}),
    });
  }
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}
