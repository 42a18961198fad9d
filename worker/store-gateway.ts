/**
 * @module worker/store-gateway — wires the store gateway from env: the bucket (R2 binding or S3
 * API), its range caches (isolate memory in front of the Cache API) and the bucket store with the
 * store limits (Thanos --store.limits.*).
 */
import { BlockSet } from '../core/block/block-set.ts';
import { BucketStore } from '../core/block/bucket-store.ts';
import { MetaFetcher } from '../core/block/meta-fetcher.ts';
import { MemoryRangeCache, TieredRangeCache, type RangeCache } from '../core/block/range-cache.ts';
import { InstrumentedBucket } from '../core/objstore/instrumented.ts';
import { CacheApiRangeCache } from './cache-api.ts';
import { durationVar, numberVar, type Env } from './env.ts';
import { bucketFromEnv } from './objstore.ts';

export interface StoreGateway {
  readonly bucket: InstrumentedBucket;
  readonly bucketStore: BucketStore;
  readonly memoryCache: MemoryRangeCache;
}

export function hasBucket(env: Env): boolean {
  return Boolean(env.BLOCKS || (env.S3_ENDPOINT && env.S3_BUCKET));
}

export function storeGatewayFromEnv(env: Env): StoreGateway {
  const bucket = new InstrumentedBucket(bucketFromEnv(env));
  const memoryCache = new MemoryRangeCache();
  const cache: RangeCache =
    typeof caches !== 'undefined'
      ? new TieredRangeCache([memoryCache, new CacheApiRangeCache(caches.default, bucket.name)])
      : memoryCache;
  const bucketStore = new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket, cache), {
    syncInterval: durationVar(env.SYNC_INTERVAL, 60_000),
    maxSeries: numberVar(env.STORE_MAX_SERIES, 0),
    maxSamples: numberVar(env.STORE_MAX_SAMPLES, 0),
  });
  return { bucket, bucketStore, memoryCache };
}
