/**
 * @module worker/store-gateway — wires the store gateway from env: the bucket (R2 binding or S3
 * API), its range caches (isolate memory in front of the Cache API) and the bucket store with the
 * store limits (Thanos --store.limits.*). A store shard builds one that serves its share of the
 * blocks, chosen over the whole bucket.
 */
import { BlockSet } from '../core/block/block-set.ts';
import { BucketStore } from '../core/block/bucket-store.ts';
import { DEFAULT_DELETION_MARK_DELAY, MetaFetcher } from '../core/block/meta-fetcher.ts';
import { DEFAULT_MEMO_BYTES } from '../core/block/selection-memo.ts';
import { MemoryRangeCache, TieredRangeCache, type RangeCache } from '../core/block/range-cache.ts';
import { ownsBlock, type ShardSpec } from '../core/block/shard.ts';
import { WriteBehindRangeCache } from '../core/block/write-behind-cache.ts';
import type { BlockMeta } from '../core/tsdb/meta.ts';
import { InstrumentedBucket } from '../core/objstore/instrumented.ts';
import { CacheApiRangeCache } from './cache-api.ts';
import { DEFAULT_SYNC_INTERVAL, bytesVar, durationVar, numberVar, type Env } from './env.ts';
import { bucketFromEnv } from './objstore.ts';

export interface StoreGateway {
  readonly bucket: InstrumentedBucket;
  readonly bucketStore: BucketStore;
  readonly memoryCache: MemoryRangeCache;
  /** Writes to the Cache API, made once reads go quiet (absent without the Cache API). */
  readonly sharedWrites?: WriteBehindRangeCache;
  /** The share of the bucket this gateway serves, when it is a shard. */
  readonly shard?: ShardSpec;
}

export function hasBucket(env: Env): boolean {
  return Boolean(env.BLOCKS || (env.S3_ENDPOINT && env.S3_BUCKET));
}

export function storeGatewayFromEnv(env: Env, shard?: ShardSpec): StoreGateway {
  const bucket = new InstrumentedBucket(bucketFromEnv(env));
  // A quarter of the isolate's 128 MB for block bytes; open index headers get another 24 MiB.
  const memoryCache = new MemoryRangeCache(bytesVar(env.STORE_MEMORY_CACHE, 32 * 1024 * 1024));
  const sharedWrites =
    typeof caches !== 'undefined'
      ? new WriteBehindRangeCache(new CacheApiRangeCache(caches.default, bucket.name), {
          quietMs: durationVar(env.STORE_CACHE_WRITE_DELAY, 1000),
        })
      : undefined;
  // Reads the isolate's memory answers keep the Cache API writes waiting too (see touch()).
  const cache: RangeCache = sharedWrites
    ? new TieredRangeCache([
        {
          get: (key) => {
            sharedWrites.touch();
            return memoryCache.get(key);
          },
          put: (key, bytes, options) => memoryCache.put(key, bytes, options),
        },
        sharedWrites,
      ])
    : memoryCache;
  // A shard reads every block's meta, not only its own: which blocks answer a request (the
  // coarsest resolution allowed, finer data where coarse is missing) is chosen over the whole
  // bucket, so that every shard makes the same choice (core/block/shard.ts). Its bucket index
  // lists every meta too, but packs only the index headers of the blocks it serves.
  const syncInterval = durationVar(env.SYNC_INTERVAL, DEFAULT_SYNC_INTERVAL);
  // A fresh isolate takes an index written from a listing less than a sync interval ago as its
  // own listing: blocks still appear within one interval, and a cold query makes no listing.
  const fetcher = new MetaFetcher(bucket, {
    deletionMarkDelay: durationVar(env.IGNORE_DELETION_MARKS_DELAY, DEFAULT_DELETION_MARK_DELAY),
    ...(env.STORE_BUCKET_INDEX === 'false'
      ? {}
      : {
          indexScope: shard ? `shard-${shard.index}-of-${shard.count}-${shard.by}` : 'all',
          trustIndexFor: syncInterval,
        }),
    log: (msg) => console.warn(msg),
    ...(shard ? { packFilter: (id: string, meta: BlockMeta) => ownsBlock(shard, id, meta) } : {}),
  });
  const bucketStore = new BucketStore(
    fetcher,
    new BlockSet(bucket, cache, { log: (msg) => console.warn(msg) }),
    {
      syncInterval,
      maxSeries: numberVar(env.STORE_MAX_SERIES, 0),
      maxSamples: numberVar(env.STORE_MAX_SAMPLES, 0),
      chunkBudget: bytesVar(env.STORE_CHUNK_BUDGET, 16 * 1024 * 1024),
      selectionMemoBytes: bytesVar(env.STORE_SELECTION_MEMO, DEFAULT_MEMO_BYTES),
      // A shard is a Durable Object: its requests share one I/O context, so a query's selectors
      // arriving together share its listing, packs and block opens.
      ...(shard
        ? { owns: (id: string, meta?: BlockMeta) => ownsBlock(shard, id, meta), sharedIo: true }
        : {}),
    },
  );
  return {
    bucket,
    bucketStore,
    memoryCache,
    ...(sharedWrites ? { sharedWrites } : {}),
    ...(shard ? { shard } : {}),
  };
}
