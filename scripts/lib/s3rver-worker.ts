/**
 * @module scripts/lib/s3rver-worker — the bucket an s3rver holds for the scale benchmarks, as the
 * scripts write to it and as the Worker reads it (its S3 vars plus the query limits they lift).
 */
import { S3Bucket } from '../../core/objstore/s3.ts';
import type { S3rverHandle } from '../../test/helpers/s3rver.ts';
import type { WorkerHandle } from '../../test/helpers/worker.ts';

const BUCKET = 'thanos';

/** The benchmark bucket, for writing blocks into it. */
export function s3rverBucket(s3: S3rverHandle): S3Bucket {
  return new S3Bucket({
    endpoint: s3.endpoint,
    bucket: BUCKET,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
}

/** The Worker's vars for the benchmark bucket behind `shards` store shards. */
export function s3rverWorkerVars(s3: S3rverHandle, shards: string): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    STORE_SHARDS: shards,
    QUERY_TIMEOUT: '10m',
    QUERY_MAX_SAMPLES: '500000000',
  };
}

/** How long a Worker is left alone before it is stopped (BENCH_SETTLE_MS). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2000);

/**
 * Stops `worker` once the writes its answers left in the background (the store shards' bucket
 * index and header pack, the range cache's) have had time to finish. s3rver keeps the part of an
 * object a PUT sent before its client went away (R2 and S3 never keep a partial object), so a
 * Worker stopped mid-write left a truncated index or pack, and the next fresh Worker read every
 * block's header on its own: two or three requests per block instead of one, a cold query 2-8x
 * slower than the platform would see.
 */
export async function stopSettled(worker: WorkerHandle): Promise<void> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  await worker.stop();
}
