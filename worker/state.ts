/**
 * @module worker/state — what an isolate keeps between requests: the bucket store with its open
 * blocks and range caches, the endpoint set, the WASM codec. Built on first use from env; rebuilt
 * only if the configuration changes.
 */
import { BucketStore } from '../core/block/bucket-store.ts';
import { BlockSet } from '../core/block/block-set.ts';
import { MetaFetcher } from '../core/block/meta-fetcher.ts';
import { MemoryRangeCache, TieredRangeCache, type RangeCache } from '../core/block/range-cache.ts';
import { InstrumentedBucket } from '../core/objstore/instrumented.ts';
import { DEFAULT_LOOKBACK_DELTA, DEFAULT_TIMEOUT } from '../core/promql/engine/engine.ts';

/**
 * Prometheus allows 50M samples, but a Worker isolate has 128 MB: the defaults keep one query's
 * samples and intermediate results well inside it (env QUERY_MAX_SAMPLES / QUERY_MAX_BYTES).
 */
const WORKER_MAX_SAMPLES = 5_000_000;
const WORKER_MAX_BYTES = 64 * 1024 * 1024;
import { EndpointSet } from '../core/query/endpoint-set.ts';
import { HttpStore } from '../core/storeapi/http-client.ts';
import type { Store } from '../core/storeapi/store.ts';
import { csv, type Env } from './env.ts';
import { parseDurationParam } from './query/params.ts';
import { Querier } from './query/querier.ts';
import { bucketFromEnv } from './objstore.ts';
import { CacheApiRangeCache } from './store/cache-api.ts';
import { loadXorCodec } from './wasm.ts';

export interface WorkerState {
  /** Absent for a querier without a bucket (only remote stores, e.g. a querier of queriers). */
  readonly bucket: InstrumentedBucket | undefined;
  readonly bucketStore: BucketStore | undefined;
  readonly memoryCache: MemoryRangeCache;
  readonly querier: Querier;
}

let current: { key: string; state: Promise<WorkerState> } | undefined;

function configKey(env: Env): string {
  const { BLOCKS: _binding, ...vars } = env as Env & Record<string, unknown>;
  return JSON.stringify(vars, Object.keys(vars).sort());
}

const num = (v: string | undefined, fallback: number): number =>
  v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback;
const dur = (v: string | undefined, fallback: number): number =>
  v ? parseDurationParam(v) : fallback;

export function workerState(env: Env): Promise<WorkerState> {
  const key = configKey(env);
  if (!current || current.key !== key) current = { key, state: build(env) };
  return current.state;
}

async function build(env: Env): Promise<WorkerState> {
  const memoryCache = new MemoryRangeCache();
  const stores: Array<{ name: string; store: Store }> = [];
  let bucket: InstrumentedBucket | undefined;
  let bucketStore: BucketStore | undefined;
  if (env.BLOCKS || (env.S3_ENDPOINT && env.S3_BUCKET)) {
    bucket = new InstrumentedBucket(bucketFromEnv(env));
    const cache: RangeCache =
      typeof caches !== 'undefined'
        ? new TieredRangeCache([memoryCache, new CacheApiRangeCache(caches.default, bucket.name)])
        : memoryCache;
    bucketStore = new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket, cache), {
      syncInterval: dur(env.SYNC_INTERVAL, 60_000),
      maxSeries: num(env.STORE_MAX_SERIES, 0),
      maxSamples: num(env.STORE_MAX_SAMPLES, 0),
    });
    stores.push({ name: `bucket:${bucket.name}`, store: bucketStore });
  }
  for (const url of csv(env.STORES))
    stores.push({
      name: url,
      store: new HttpStore(url, { ...(env.STORE_TOKEN ? { token: env.STORE_TOKEN } : {}) }),
    });
  const querier = new Querier({
    endpoints: new EndpointSet(stores),
    decoder: await loadXorCodec(),
    replicaLabels: csv(env.REPLICA_LABELS, ['replica', 'prometheus_replica']),
    partialResponse: (env.PARTIAL_RESPONSE ?? 'true') !== 'false',
    queryTimeout: dur(env.QUERY_TIMEOUT, DEFAULT_TIMEOUT),
    maxSamples: num(env.QUERY_MAX_SAMPLES, WORKER_MAX_SAMPLES),
    maxSeries: num(env.QUERY_MAX_SERIES, 0),
    maxBytes: num(env.QUERY_MAX_BYTES, WORKER_MAX_BYTES),
    storeResponseTimeout: dur(env.STORE_RESPONSE_TIMEOUT, 0),
    lookbackDelta: dur(env.QUERY_LOOKBACK_DELTA, DEFAULT_LOOKBACK_DELTA),
  });
  return { bucket, bucketStore, memoryCache, querier };
}
