/**
 * `--shipper.upload-concurrency`: a block's files (chunk segments, index) go up that many at a
 * time, meta.json still last. The bucket is the real filesystem bucket, wrapped to count uploads
 * in flight.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket, UploadBody } from '../../../core/objstore/bucket.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let blockDir: string;

beforeAll(async () => {
  tmp = await makeTmpDir('upload-concurrency-');
  await mkdir(join(tmp.path, 'src'));
  const { db, blocks } = await promtoolCreateBlocks(
    generateOpenMetrics({ seed: 5, hours: 1 }).text,
    join(tmp.path, 'src'),
  );
  blockDir = join(db, blocks[0]!);
}, 120_000);

afterAll(async () => {
  await tmp?.remove();
});

/** A bucket whose uploads take 200 ms each, recording the most in flight and the order. */
function slowBucket(dir: string): { bucket: Bucket; peak: () => number; order: string[] } {
  const inner = new FilesystemBucket(dir);
  let inflight = 0;
  let peak = 0;
  const order: string[] = [];
  const bucket = Object.create(inner) as Bucket;
  bucket.upload = async (key: string, body: UploadBody, size?: number) => {
    peak = Math.max(peak, ++inflight);
    await new Promise((r) => setTimeout(r, 200));
    try {
      await inner.upload(key, body, size);
      order.push(key.split('/').slice(1).join('/'));
    } finally {
      inflight--;
    }
  };
  return { bucket, peak: () => peak, order };
}

describe('uploadBlock concurrency', () => {
  it('one file at a time by default; n at a time with concurrency n; meta.json last', async () => {
    const one = slowBucket(join(tmp.path, 'b1'));
    await uploadBlock(one.bucket, blockDir, { labels: { a: '1' }, source: 'sidecar' });
    expect(one.peak()).toBe(1);
    const two = slowBucket(join(tmp.path, 'b2'));
    await uploadBlock(two.bucket, blockDir, {
      labels: { a: '1' },
      source: 'sidecar',
      concurrency: 2,
    });
    expect(two.peak()).toBe(2);
    expect(two.order.at(-1)).toBe('meta.json');
    expect([...two.order].sort()).toEqual([...one.order].sort());
  });
});
