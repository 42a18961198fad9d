/**
 * @module worker/store/bucket — the block bucket from the Worker's env: any S3 API when
 * S3_ENDPOINT is set (aws4fetch), else the R2 binding BLOCKS.
 */
import { BadDataError } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { R2Bucket } from '../../core/objstore/r2.ts';
import { S3Bucket } from '../../core/objstore/s3.ts';
import type { Env } from '../env.ts';

export function bucketFromEnv(env: Env): Bucket {
  if (env.S3_ENDPOINT) {
    if (!env.S3_BUCKET) throw new BadDataError('S3_ENDPOINT is set but S3_BUCKET is not');
    return new S3Bucket({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION ?? 'us-east-1',
      accessKeyId: env.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '',
    });
  }
  if (env.BLOCKS) return new R2Bucket(env.BLOCKS, { name: 'BLOCKS' });
  throw new BadDataError('no block bucket configured: bind R2 bucket BLOCKS or set S3_ENDPOINT and S3_BUCKET');
}
