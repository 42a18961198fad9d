/**
 * @module core/storeapi/store — the one interface every source of series implements (Thanos's
 * StoreAPI): bucket store, sidecar agent, receive head, ruler, another querier, and the proxy that
 * fans out over all of them. Requests and frames are domain types; `codec.ts` maps them to storepb.
 */
import type { Labels } from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import type { StoreStats } from './stats.ts';

export type StoreType = 'unknown' | 'query' | 'rule' | 'sidecar' | 'store' | 'receive' | 'debug';

/** `warn`: a failing store becomes a warning frame; `abort`: it fails the whole request. */
export type PartialResponseStrategy = 'warn' | 'abort';

/** Downsampled aggregates (storepb.Aggr). */
export type Aggr = 'raw' | 'count' | 'sum' | 'min' | 'max' | 'counter';

export type ChunkEncoding = 'XOR' | 'HISTOGRAM' | 'FLOAT_HISTOGRAM';

export interface ChunkData {
  readonly encoding: ChunkEncoding;
  /** Encoded chunk bytes as stored in a segment (for XOR: starting with the 2-byte sample count). */
  readonly data: Uint8Array;
}

/** A time range of one series: raw data, or the aggregates of a downsampled block. */
export interface AggrChunk {
  readonly minTime: number;
  readonly maxTime: number;
  readonly raw?: ChunkData;
  readonly count?: ChunkData;
  readonly sum?: ChunkData;
  readonly min?: ChunkData;
  readonly max?: ChunkData;
  readonly counter?: ChunkData;
}

export interface SeriesRequest {
  readonly minTime: number;
  readonly maxTime: number;
  readonly matchers: readonly Matcher[];
  /** Highest downsampling resolution (ms) the caller accepts; 0 = raw only. */
  readonly maxResolutionWindow: number;
  readonly aggregates: readonly Aggr[];
  readonly partialResponseStrategy: PartialResponseStrategy;
  /** Only labels are wanted (the series API); chunks are left out. */
  readonly skipChunks: boolean;
  /** Query hints: step and range in ms, and the function around the selector. */
  readonly step?: number;
  readonly range?: number;
  readonly func?: string;
  /**
   * Replica labels the caller deduplicates on (Thanos's without_replica_labels): series come
   * sorted as if these labels were absent, ties by the full label set, so the replicas of one
   * series arrive next to each other. The labels themselves stay on the series.
   */
  readonly withoutReplicaLabels?: readonly string[];
  /** Upper bound on series; 0 or absent = none. */
  readonly limit?: number;
}

export type SeriesFrame =
  | { readonly type: 'series'; readonly labels: Labels; readonly chunks: readonly AggrChunk[] }
  | { readonly type: 'warning'; readonly warning: string }
  /** What the answer cost (Thanos's SeriesResponseHints); a store sends at most one, last. */
  | { readonly type: 'hints'; readonly stats: StoreStats };

export interface LabelsRequest {
  readonly start: number;
  readonly end: number;
  readonly matchers: readonly Matcher[];
  readonly partialResponseStrategy: PartialResponseStrategy;
  readonly limit?: number;
}

export interface LabelsResponse {
  readonly values: readonly string[];
  readonly warnings: readonly string[];
}

export interface StoreInfo {
  readonly storeType: StoreType;
  /** External label sets this store serves; the querier prunes stores with them. */
  readonly labelSets: readonly Labels[];
  readonly minTime: number;
  readonly maxTime: number;
}

export interface Store {
  info(signal?: AbortSignal): Promise<StoreInfo>;
  /** Frames sorted by labels; a series appears once per store (chunks of all its blocks together or in order). */
  series(request: SeriesRequest, signal?: AbortSignal): AsyncIterable<SeriesFrame>;
  labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse>;
  labelValues(name: string, request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse>;
}

/**
 * A store that can hand over its series answer already encoded: uvarint-framed storepb
 * SeriesResponse messages, in batches, the same frames `series()` describes. A server sends these
 * bytes as they are (the sidecar forwards Prometheus's chunks without building objects). A batch
 * is valid only until the next one is asked for: the store may write the next into the same buffer.
 */
export interface EncodedSeriesSource {
  encodedSeries(request: SeriesRequest, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

export function hasEncodedSeries(store: Store): store is Store & EncodedSeriesSource {
  return typeof (store as Partial<EncodedSeriesSource>).encodedSeries === 'function';
}

/** A store that can answer the read APIs of the Prometheus behind it (a sidecar agent). */
export interface PrometheusApiSource {
  prometheusApi(api: string, params: URLSearchParams, signal?: AbortSignal): Promise<unknown>;
}

export function hasPrometheusApi(store: Store): store is Store & PrometheusApiSource {
  return typeof (store as Partial<PrometheusApiSource>).prometheusApi === 'function';
}
