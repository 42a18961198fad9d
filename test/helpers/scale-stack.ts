/**
 * @module test/helpers/scale-stack — what the scale suites share: the scale data set
 * (scripts/lib/scale-data.ts) written once into a TSDB directory and uploaded to s3rver, and the
 * Worker with store shards over that bucket.
 */
import { S3Bucket } from '../../core/objstore/s3.ts';
import {
  uploadScaleBlocks,
  writeScaleBlocks,
  type ScaleData,
} from '../../scripts/lib/scale-data.ts';
import type { S3rverHandle } from './s3rver.ts';
import { startWorker, type StartWorkerOptions, type WorkerHandle } from './worker.ts';

export interface ScaleBucket {
  readonly s3: S3rverHandle;
  readonly bucket: S3Bucket;
  readonly name: string;
}

export function s3Bucket(s3: S3rverHandle, name = 'thanos'): S3Bucket {
  return new S3Bucket({
    endpoint: s3.endpoint,
    bucket: name,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
}

/**
 * Writes `days` of 2h blocks under `tsdbDir` and uploads them to `bucket` in s3rver. The blocks'
 * only external label is `replica`, a default replica label: deduplication removes it, so answers
 * compare with Prometheus's over the same blocks as they are.
 */
export async function scaleBucket(
  s3: S3rverHandle,
  tsdbDir: string,
  o: { days: number; copies?: number; bucket?: string },
): Promise<ScaleData> {
  const data = await writeScaleBlocks(tsdbDir, { days: o.days, copies: o.copies ?? 1 });
  await uploadScaleBlocks(s3Bucket(s3, o.bucket), tsdbDir, { replica: '0' });
  return data;
}

/** The Worker over a bucket in s3rver, with `shards` store shards. */
export function scaleWorker(
  s3: S3rverHandle,
  o: { bucket?: string; shards: number; vars?: Record<string, string> } & Pick<
    StartWorkerOptions,
    'inspectorPort'
  >,
  isolate: boolean | 'isolate' = 'isolate',
): Promise<WorkerHandle> {
  return startWorker({
    r2: false,
    shards: isolate,
    ...(o.inspectorPort ? { inspectorPort: o.inspectorPort } : {}),
    vars: {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: o.bucket ?? 'thanos',
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      STORE_SHARDS: String(o.shards),
      STORE_TOKEN: 't',
      ...(o.vars ?? {}),
    },
  });
}
