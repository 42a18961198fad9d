/**
 * @module core/query/store-queryable — the PromQL engine's Queryable over any Store (usually the
 * proxy): one StoreAPI Series call per selector, chunks decoded in batches, replicas deduplicated.
 */
import type { Matcher } from '../labels/matcher.ts';
import { dedupSeriesSet } from '../dedup/dedup-set.ts';
import type { Queryable, RawSeriesSet, SelectHints } from '../promql/queryable.ts';
import type { PartialResponseStrategy, Store } from '../storeapi/store.ts';
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
}

export class StoreQueryable implements Queryable {
  readonly #store: Store;
  readonly #opts: StoreQueryableOptions;

  constructor(store: Store, options: StoreQueryableOptions) {
    this.#store = store;
    this.#opts = options;
  }

  async select(matchers: readonly Matcher[], hints: SelectHints): Promise<RawSeriesSet> {
    const o = this.#opts;
    const frames = this.#store.series(
      {
        minTime: hints.start,
        maxTime: hints.end,
        matchers,
        maxResolutionWindow: o.maxResolutionWindow ?? 0,
        aggregates: ['raw'],
        partialResponseStrategy: o.partialResponseStrategy,
        skipChunks: false,
        ...(hints.step ? { step: hints.step } : {}),
        ...(hints.range ? { range: hints.range } : {}),
        ...(hints.func ? { func: hints.func } : {}),
      },
      o.signal,
    );
    const { series, warnings } = await readSeries(frames, {
      mint: hints.start,
      maxt: hints.end,
      decoder: o.decoder,
      ...(o.maxSamples ? { maxSamples: o.maxSamples } : {}),
      ...(o.maxSeries ? { maxSeries: o.maxSeries } : {}),
    });
    const deduped = dedupSeriesSet(series, o.replicaLabels, hints.func ? { func: hints.func } : {});
    return { series: deduped, warnings };
  }
}
