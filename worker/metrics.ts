/**
 * @module worker/metrics — `/metrics` in the Prometheus text format: bucket operations, caches,
 * open blocks and index headers, stores. With store shards, each shard reports its families and
 * the Worker renders them together with a `shard` label.
 */
import type { SkipReason } from '../core/block/meta-fetcher.ts';
import type { SyncState } from '../core/compact/syncer.ts';
import { OPERATIONS } from '../core/objstore/instrumented.ts';
import type { FrontendMetrics } from '../core/frontend/metrics.ts';
import type { MemoryResultsCache } from '../core/frontend/results-cache.ts';
import type { StoreGateway } from './store-gateway.ts';
import type { WorkerState } from './state.ts';

/** One metric family: its samples are `name{labels} value` lines. */
export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly samples: string[];
}

export function family(name: string, type: Family['type'], help: string): Family {
  return { name, help, type, samples: [] };
}

/** Appends `name{labels} value` to `f`; `suffix` names a histogram's `_bucket`, `_sum`, `_count`. */
export function sample(
  f: Family,
  labels: Record<string, string>,
  value: number,
  suffix = '',
): void {
  const ls = Object.entries(labels)
    .map(
      ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
  f.samples.push(`${f.name}${suffix}${ls ? `{${ls}}` : ''} ${value}`);
}

/** A histogram's observations: a count per bucket (upper bound `le`, inclusive), sum and count. */
export class Histogram {
  readonly buckets: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(buckets: readonly number[]) {
    this.buckets = buckets;
    this.#counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.#counts[i]!++;
    this.#sum += value;
    this.#count++;
  }

  /** Its `_bucket` (cumulative, then `+Inf`), `_sum` and `_count` samples, into `f`. */
  samples(f: Family, labels: Record<string, string> = {}): void {
    this.buckets.forEach((le, i) =>
      sample(f, { ...labels, le: String(le) }, this.#counts[i]!, '_bucket'),
    );
    sample(f, { ...labels, le: '+Inf' }, this.#count, '_bucket');
    sample(f, labels, this.#sum, '_sum');
    sample(f, labels, this.#count, '_count');
  }
}

/** A skipped block's reason as a `thanos_blocks_meta_synced` state (the compactor's names). */
const SYNC_STATE_OF: Record<SkipReason, SyncState | 'corrupt'> = {
  partial: 'partial',
  'corrupt-meta': 'corrupted-meta-json',
  'fetch-failed': 'failed',
  'marked-for-deletion': 'marked-for-deletion',
  duplicate: 'duplicate',
  corrupt: 'corrupt',
};
const SYNC_STATES = ['loaded', ...new Set(Object.values(SYNC_STATE_OF))];

/** What one store gateway (the isolate's, or a shard's) reports. */
export function gatewayFamilies(g: StoreGateway, base: Record<string, string> = {}): Family[] {
  const ops = family(
    'thanos_objstore_bucket_operations_total',
    'counter',
    'Total number of bucket operations.',
  );
  const failures = family(
    'thanos_objstore_bucket_operation_failures_total',
    'counter',
    'Total number of failed bucket operations.',
  );
  const bytes = family(
    'thanos_objstore_bucket_operation_bytes_total',
    'counter',
    'Bytes read or written by bucket operations.',
  );
  const stats = g.bucket.stats();
  for (const op of OPERATIONS) {
    const l = { ...base, bucket: g.bucket.name, operation: op };
    sample(ops, l, stats[op].requests);
    sample(failures, l, stats[op].failures);
    sample(bytes, l, stats[op].bytes);
  }
  const skipped = family(
    'thanos_bucket_store_blocks_skipped',
    'gauge',
    'Blocks skipped at the last sync (partial upload, deletion mark, corrupt meta).',
  );
  sample(skipped, base, g.bucketStore.skipped.length);
  // Thanos's meta fetcher gauge, with its state names where ours has the same reason.
  const synced = family('thanos_blocks_meta_synced', 'gauge', 'Number of block metadata synced');
  const byState = new Map<string, number>(SYNC_STATES.map((s) => [s, 0]));
  byState.set('loaded', g.bucketStore.loaded);
  for (const s of g.bucketStore.skipped) {
    const state = SYNC_STATE_OF[s.reason];
    byState.set(state, byState.get(state)! + 1);
  }
  for (const [state, n] of byState) sample(synced, { ...base, state }, n);
  const stale = family(
    'thanos_edge_bucket_store_sync_stale',
    'gauge',
    '1 while the blocks served are those of an older listing (the last re-list failed).',
  );
  sample(stale, base, g.bucketStore.staleBecause ? 1 : 0);
  const open = g.bucketStore.blocks.size;
  const loaded = family(
    'thanos_bucket_store_blocks_loaded',
    'gauge',
    'Blocks open in isolate memory.',
  );
  sample(loaded, base, open.blocks);
  const headerBytes = family(
    'thanos_edge_bucket_store_open_block_bytes',
    'gauge',
    'Bytes the open blocks (index headers) hold.',
  );
  sample(headerBytes, base, open.bytes);
  const memo = family(
    'thanos_edge_bucket_store_selection_memo_bytes',
    'gauge',
    'Estimated bytes of decoded index answers (selected series) kept across requests.',
  );
  sample(memo, base, g.bucketStore.selectionMemo?.bytes ?? 0);
  const built = family(
    'thanos_edge_index_headers_built_total',
    'counter',
    'Index headers built from an index (and those written back to the bucket).',
  );
  sample(
    built,
    { ...base, written: 'false' },
    g.bucketStore.blocks.headersBuilt - g.bucketStore.blocks.headersWritten,
  );
  sample(built, { ...base, written: 'true' }, g.bucketStore.blocks.headersWritten);
  const cache = family(
    'thanos_edge_range_cache_requests_total',
    'counter',
    'Range cache lookups in isolate memory.',
  );
  sample(cache, { ...base, result: 'hit' }, g.memoryCache.lru.hits);
  sample(cache, { ...base, result: 'miss' }, g.memoryCache.lru.misses);
  const cacheBytes = family(
    'thanos_edge_range_cache_bytes',
    'gauge',
    'Bytes of block ranges the range cache holds in isolate memory.',
  );
  sample(cacheBytes, base, g.memoryCache.lru.bytes);
  const turnedAway = family(
    'thanos_edge_range_cache_rejected_total',
    'counter',
    'Ranges the full range cache turned away: asked for less often lately than those it holds.',
  );
  sample(turnedAway, base, g.memoryCache.lru.rejected);
  const pushedOut = family(
    'thanos_edge_range_cache_evicted_total',
    'counter',
    'Ranges pushed out of the range cache to make room.',
  );
  sample(pushedOut, base, g.memoryCache.lru.evicted);
  const sharedWrites = family(
    'thanos_edge_range_cache_shared_writes_total',
    'counter',
    'Ranges written to the Cache API once reads went quiet, by result.',
  );
  sample(sharedWrites, { ...base, result: 'written' }, g.sharedWrites?.written ?? 0);
  sample(sharedWrites, { ...base, result: 'failed' }, g.sharedWrites?.failed ?? 0);
  const sharedQueued = family(
    'thanos_edge_range_cache_shared_write_queue_bytes',
    'gauge',
    'Bytes of ranges waiting to be written to the Cache API.',
  );
  sample(sharedQueued, base, g.sharedWrites?.queuedBytes ?? 0);
  const t = g.bucketStore.totals;
  const requests = family(
    'thanos_edge_bucket_store_series_requests_total',
    'counter',
    'Series requests the store gateway answered in full.',
  );
  sample(requests, base, g.bucketStore.seriesRequests);
  const returned = family(
    'thanos_edge_bucket_store_series_returned_total',
    'counter',
    'Series the store gateway returned (merged across blocks).',
  );
  sample(returned, base, t.mergedSeries);
  const chunks = family(
    'thanos_edge_bucket_store_chunks_returned_total',
    'counter',
    'Chunks the store gateway returned.',
  );
  sample(chunks, base, t.mergedChunks);
  const queried = family(
    'thanos_edge_bucket_store_blocks_queried_total',
    'counter',
    'Blocks series requests read.',
  );
  sample(queried, base, t.blocksQueried);
  const fetched = family(
    'thanos_edge_bucket_store_data_fetched_bytes_total',
    'counter',
    'Bytes series requests read, by kind (from memory, the Cache API or the bucket).',
  );
  for (const kind of ['postings', 'series', 'chunks', 'other'] as const)
    sample(fetched, { ...base, data_type: kind }, t[kind].bytes);
  return [
    ...[ops, failures, bytes, skipped, synced, stale, loaded, headerBytes, built, cache],
    ...[cacheBytes, turnedAway, pushedOut, sharedWrites, sharedQueued],
    ...[requests, returned, chunks, queried, fetched],
  ];
}

export function renderFamilies(families: readonly Family[]): string {
  const merged = new Map<string, Family>();
  for (const f of families) {
    const m = merged.get(f.name);
    if (m) m.samples.push(...f.samples);
    else merged.set(f.name, { ...f, samples: [...f.samples] });
  }
  const lines: string[] = [];
  for (const f of merged.values()) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.samples);
  }
  return `${lines.join('\n')}\n`;
}

/** The Worker's own families: its gateway (when it has one in-isolate) and its stores. */
export function workerFamilies(state: WorkerState): Family[] {
  const out = state.gateway ? gatewayFamilies(state.gateway) : [];
  const status = state.querier.settings.endpoints.status();
  const stores = family(
    'thanos_store_nodes_grpc_connections',
    'gauge',
    'Stores the querier knows, by health.',
  );
  sample(stores, { healthy: 'true' }, status.filter((s) => s.healthy).length);
  sample(stores, { healthy: 'false' }, status.filter((s) => !s.healthy).length);
  out.push(stores);
  return out;
}

/**
 * The query frontend's counters (isolate-wide), under Thanos's query-frontend names, and what
 * the isolate's memory tier of the results cache holds and did.
 */
export function frontendFamilies(m: FrontendMetrics, memory?: MemoryResultsCache): Family[] {
  const one = (name: string, type: 'counter' | 'gauge', help: string, value: number): Family => {
    const f = family(name, type, help);
    sample(f, {}, value);
    return f;
  };
  const counter = (name: string, help: string, value: number): Family =>
    one(name, 'counter', help, value);
  const tier = memory
    ? [
        one(
          'thanos_edge_frontend_memory_cache_bytes',
          'gauge',
          "Bytes (estimated) the isolate's memory tier of the results cache holds.",
          memory.lru.bytes,
        ),
        one(
          'thanos_edge_frontend_memory_cache_entries',
          'gauge',
          "Entries the isolate's memory tier of the results cache holds.",
          memory.lru.entries,
        ),
        counter(
          'thanos_edge_frontend_memory_cache_hits_total',
          'Memory tier lookups that found their entry.',
          memory.lru.hits,
        ),
        counter(
          'thanos_edge_frontend_memory_cache_misses_total',
          'Memory tier lookups that did not (the Cache API is asked next).',
          memory.lru.misses,
        ),
        counter(
          'thanos_edge_frontend_memory_cache_rejected_total',
          'Entries not let into the full memory tier: asked for no more often than what they would push out.',
          memory.lru.rejected,
        ),
        counter(
          'thanos_edge_frontend_memory_cache_evicted_total',
          'Entries pushed out of the memory tier.',
          memory.lru.evicted,
        ),
      ]
    : [];
  return [
    ...tier,
    counter(
      'thanos_frontend_split_queries_total',
      'Sub-queries the splitter sent.',
      m.splitQueries,
    ),
    counter('querier_cache_gets_total', 'Results cache lookups.', m.cacheGets),
    counter(
      'querier_cache_misses_total',
      'Results cache lookups that needed the querier.',
      m.cacheMisses,
    ),
    counter('querier_cache_added_new_total', 'Results cache entries written.', m.cacheAdded),
    counter(
      'thanos_edge_frontend_downstream_requests_total',
      'Requests sent on to the querier, retries included.',
      m.downstreamRequests,
    ),
    counter('thanos_edge_frontend_retries_total', 'Retries of 5xx answers.', m.retries),
    counter(
      'thanos_edge_frontend_downstream_range_seconds_total',
      'Seconds of query range sent on to the querier.',
      m.downstreamRangeSeconds,
    ),
  ];
}
