/**
 * @module worker/objstore — the Worker's Bucket, chosen from its environment:
 * an S3 API when `S3_ENDPOINT` and `S3_BUCKET` are set (with `S3_REGION`, `S3_ACCESS_KEY_ID`,
 * `S3_SECRET_ACCESS_KEY`), otherwise the R2 binding `BLOCKS`. S3 wins when configured because
 * wrangler.toml always declares the binding; setting S3 vars is the explicit choice.
 * `S3_PREFIX` (or `BUCKET_PREFIX`) keeps every key under a directory, for either: the objstore
 * config's `prefix` that the agents write with.
 */
import type { Bucket } from '../core/objstore/bucket.ts';
import { BadDataError } from '../core/errors.ts';
import { PrefixedBucket } from '../core/objstore/prefixed.ts';
import { R2Bucket, type R2BucketLike } from '../core/objstore/r2.ts';
import { S3Bucket } from '../core/objstore/s3.ts';

export interface ObjstoreEnv {
  BLOCKS?: R2BucketLike;
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_REGION?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_PREFIX?: string;
  BUCKET_PREFIX?: string;
}

// One Bucket per env object: isolates reuse env across requests, and buckets are stateless.
const cache = new WeakMap<object, Bucket>();

export function bucketFromEnv(env: ObjstoreEnv): Bucket {
  const hit = cache.get(env);
  if (hit) return hit;
  let bucket: Bucket;
  if (env.S3_ENDPOINT && env.S3_BUCKET) {
    if (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY) {
      throw new BadDataError(
        'objstore: S3_ENDPOINT is set but S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY are missing',
      );
    }
    bucket = new S3Bucket({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION || 'auto',
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    });
  } else if (env.BLOCKS) {
    bucket = new R2Bucket(env.BLOCKS, { name: 'BLOCKS' });
  } else {
    throw new BadDataError(
      'objstore: no R2 binding BLOCKS and no S3_ENDPOINT/S3_BUCKET configured',
    );
  }
  const prefix = env.S3_PREFIX || env.BUCKET_PREFIX || '';
  if (prefix.replace(/\/+/g, '') !== '') bucket = new PrefixedBucket(bucket, prefix);
  cache.set(env, bucket);
  return bucket;
}
