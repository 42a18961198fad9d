/**
 * Store-gateway shards as Durable Objects in workerd: every block of the bucket is served by
 * exactly one shard (the one its ULID hashes to); a block added to the bucket or removed from it
 * is found or dropped at the next sync, with no restart; a shard that fails becomes a
 * partial-response warning naming it (an error with partial_response=false).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../../core/block/shard.ts';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { listAll } from '../../../core/objstore/bucket.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import type { ScaleData } from '../../../scripts/lib/scale-data.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { s3Bucket, scaleBucket, scaleWorker } from '../../helpers/scale-stack.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import type { WorkerHandle } from '../../helpers/worker.ts';

const SHARDS = 4;

interface BlocksAnswer {
  data: { blocks: { ulid: string; minTime: number; shard: string }[] };
}
interface QueryAnswer {
  status: string;
  errorType?: string;
  error?: string;
  data?: { result: { metric: Record<string, string> }[] };
  warnings?: string[];
}

describe('store shards (Durable Objects)', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  let data: ScaleData;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir('shards-');
    s3 = await startS3rver();
    data = await scaleBucket(s3, join(tmp.path, 'tsdb'), { days: 1 });
    worker = await scaleWorker(s3, { shards: SHARDS, vars: { SYNC_INTERVAL: '1s' } }, true);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
    await tmp?.remove();
  });

  const blocks = async () =>
    ((await (await worker.fetch('/api/v1/blocks')).json()) as BlocksAnswer).data.blocks;
  const query = async (q: string, extra: Record<string, string> = {}, w = worker) =>
    (await (
      await w.fetch(
        `/api/v1/query?${new URLSearchParams({ query: q, time: String(data.maxTime / 1000 - 60), ...extra })}`,
      )
    ).json()) as QueryAnswer;
  /** Polls until `ok` holds (the shards re-list the bucket every second). */
  const eventually = async (ok: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`never: ${what}`);
  };

  it('serves every block on exactly the one shard its ULID hashes to', async () => {
    const served = await blocks();
    const ids = served.map((b) => b.ulid).sort();
    expect(ids).toEqual([...data.blocks].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const b of served) {
      expect(b.shard, b.ulid).toBe(`${shardOf(b.ulid, b.minTime, SHARDS, 'block')}/${SHARDS}`);
    }
    // More than one shard has work (12 blocks over 4 shards).
    expect(new Set(served.map((b) => b.shard)).size).toBeGreaterThan(1);
    const up = await query('count(up)');
    expect(up.status).toBe('success');
    expect(up.data!.result).toHaveLength(1);
  });

  it('finds a block added to the bucket, then forgets it once removed, without a restart', async () => {
    const t = data.maxTime - 30 * 60_000;
    const meta = await writeBlock(dirSinkFactory(tmp.path), [
      {
        labels: labelsFrom({ __name__: 'added_metric', pod: 'new' }),
        timestamps: Float64Array.of(t, t + 60_000),
        values: Float64Array.of(1, 2),
      },
    ]);
    const bucket = s3Bucket(s3);
    await uploadBlock(bucket, join(tmp.path, meta!.ulid), {
      labels: { replica: '0' },
      source: 'sidecar',
    });
    const owner = `${shardOf(meta!.ulid, meta!.minTime, SHARDS, 'block')}/${SHARDS}`;
    await eventually(
      async () => (await blocks()).some((b) => b.ulid === meta!.ulid && b.shard === owner),
      'the new block is listed on its shard',
    );
    const at = { time: String((t + 60_000) / 1000) };
    await eventually(
      async () => ((await query('added_metric', at)).data?.result.length ?? 0) === 1,
      'the new block answers',
    );
    for (const key of await listAll(bucket, meta!.ulid, { recursive: true }))
      await bucket.delete(key);
    await eventually(
      async () => !(await blocks()).some((b) => b.ulid === meta!.ulid),
      'the removed block leaves the listing',
    );
    await eventually(
      async () => (await query('added_metric', at)).data?.result.length === 0,
      'the removed block no longer answers',
    );
  });

  it('reports a failing shard as a warning naming it, or fails the query without partial response', async () => {
    const faulty = await scaleWorker(s3, { shards: SHARDS, vars: { STORE_SHARD_FAIL: '2' } }, true);
    try {
      const warned = await query('count(up)', {}, faulty);
      expect(warned.status).toBe('success');
      expect(warned.warnings?.join('\n')).toMatch(/store-shard 2\/4/);
      const failed = await query('count(up)', { partial_response: 'false' }, faulty);
      expect(failed.status).toBe('error');
      expect(failed.error).toMatch(/store-shard 2\/4/);
    } finally {
      await faulty.stop();
    }
  });
});
