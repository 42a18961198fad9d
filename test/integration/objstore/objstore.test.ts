/**
 * Runs the Bucket acceptance suite against real backends from Node: s3rver (S3 API over HTTP)
 * and the local filesystem. R2 runs it where R2Bucket runs, inside workerd
 * (objstore-workerd.test.ts): through Miniflare's Node proxy to the binding, a long listing test
 * once broke the proxy itself (a mismatched message id in its synchronous fetcher), which tested
 * Miniflare rather than R2Bucket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketAcceptance, patternBytes } from '../../helpers/bucket-acceptance.ts';
import { InstrumentedBucket } from '../../../core/objstore/instrumented.ts';
import { PrefixedBucket } from '../../../core/objstore/prefixed.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { nodeFetch } from '../../../sidecar-agent/node-fetch.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { S3RVER_DEVIATIONS, startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';

const MiB = 1024 * 1024;
const s3rvers: S3rverHandle[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const s of s3rvers) await s.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A bucket on a fresh s3rver, in parts of 5 MiB (several for the 12 MiB case). */
async function s3rverBucket(fetch?: typeof globalThis.fetch): Promise<S3Bucket> {
  const s3 = await startS3rver({ buckets: ['accept'] });
  s3rvers.push(s3);
  return new S3Bucket({
    bucket: 'accept',
    endpoint: s3.endpoint,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    region: s3.region,
    partSize: 5 * MiB,
    ...(fetch ? { fetch } : {}),
  });
}

bucketAcceptance('s3 (s3rver)', () => s3rverBucket(), { knownDeviations: S3RVER_DEVIATIONS });

// The agent's S3 client: the same bucket over its fetch on node:http (sidecar-agent/node-fetch.ts).
bucketAcceptance("s3 (s3rver) over the agent's node:http fetch", () => s3rverBucket(nodeFetch), {
  knownDeviations: S3RVER_DEVIATIONS,
});

bucketAcceptance('filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fsbucket-'));
  dirs.push(dir);
  return new FilesystemBucket(dir);
});

bucketAcceptance('prefixed + instrumented filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fsbucket-'));
  dirs.push(dir);
  return new InstrumentedBucket(new PrefixedBucket(new FilesystemBucket(dir), 'tenant/a'));
});
