/**
 * The store gateway after a compaction (Thanos's DeduplicateFilter): `thanos-edge compact` (the
 * CLI) compacts a day of 2h blocks in s3rver and marks its inputs for deletion; while the marks
 * wait out their delay the inputs are still in the bucket, and the Worker's store shards serve
 * the compaction's outputs instead of them (every shard agrees, whichever holds which block),
 * list each input as skipped naming the block that covers it, and answer exactly as before.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';
import type { ScaleData } from '../../../scripts/lib/scale-data.ts';
import { liveMetas } from '../../helpers/compact-data.ts';
import { runCompact } from '../../helpers/compact-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { s3Bucket, scaleBucket, scaleWorker } from '../../helpers/scale-stack.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import type { WorkerHandle } from '../../helpers/worker.ts';

const SHARDS = 4;

interface BlocksAnswer {
  data: {
    blocks: { ulid: string; shard: string; compaction: { level: number; sources: string[] } }[];
    skipped: { id: string; reason: string; detail: string; shard: string }[];
  };
}

describe('store gateway: a compaction output served instead of its inputs', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  let data: ScaleData;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir('duplicate-blocks-');
    s3 = await startS3rver();
    data = await scaleBucket(s3, join(tmp.path, 'tsdb'), { days: 1 });
    worker = await scaleWorker(s3, { shards: SHARDS, vars: { SYNC_INTERVAL: '1s' } }, true);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
    await tmp?.remove();
  });

  const blocks = async (): Promise<BlocksAnswer['data']> =>
    ((await (await worker.fetch('/api/v1/blocks')).json()) as BlocksAnswer).data;
  const answer = async (q: string): Promise<string> => {
    const params = new URLSearchParams({
      query: q,
      start: String(data.minTime / 1000),
      end: String(data.maxTime / 1000 - 1),
      step: '300',
      cache: 'false',
    });
    const res = await worker.fetch(`/api/v1/query_range?${params}`);
    const body = (await res.json()) as { status: string; data: unknown; warnings?: string[] };
    expect(body.status, JSON.stringify(body).slice(0, 300)).toBe('success');
    expect(body.warnings).toBeUndefined();
    return JSON.stringify(body.data);
  };
  const QUERIES = [
    'count({__name__=~".+"})',
    'sum by (job) (rate(node_cpu_seconds_total[1h]))',
    'sum by (code) (increase(http_requests_total[1d]))',
  ];

  it('serves the outputs, lists the inputs as duplicates, and answers as before', async () => {
    const before = await Promise.all(QUERIES.map(answer));
    expect((await blocks()).blocks.map((b) => b.ulid).sort()).toEqual([...data.blocks].sort());

    const run = await runCompact([
      `--objstore.config=${s3.objstoreYaml()}`,
      `--data-dir=${join(tmp.path, 'compact')}`,
      '--consistency-delay=0s',
      '--downsampling.disable',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const live: BlockMeta[] = await liveMetas(s3Bucket(s3));
    const outputs = live.filter((m) => m.compaction.level > 1);
    expect(outputs.length).toBeGreaterThan(0);
    const inputs = new Set(outputs.flatMap((m) => m.compaction.sources!));
    // The inputs are marked, not deleted: --delete-delay (48h) has not passed.
    expect(inputs.size).toBeGreaterThanOrEqual(4);

    // The shards re-list every second; each serves its share of what is left.
    let listed = await blocks();
    for (let i = 0; i < 100 && listed.blocks.some((b) => inputs.has(b.ulid)); i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = await blocks();
    }
    expect(listed.blocks.map((b) => b.ulid).sort()).toEqual(live.map((m) => m.ulid).sort());
    expect(listed.blocks.filter((b) => inputs.has(b.ulid))).toEqual([]);
    const duplicates = listed.skipped.filter((s) => s.reason === 'duplicate');
    expect(duplicates.map((s) => s.id).sort()).toEqual([...inputs].sort());
    for (const s of duplicates) {
      const cover = outputs.find((m) => m.compaction.sources!.includes(s.id))!;
      expect(s.detail).toContain(cover.ulid);
    }
    // The deletion marks are younger than the store's 24h delay: none is skipped for its mark.
    expect(listed.skipped.filter((s) => s.reason === 'marked-for-deletion')).toEqual([]);

    expect(await Promise.all(QUERIES.map(answer))).toEqual(before);

    const metrics = await (await worker.fetch('/metrics')).text();
    let synced = 0;
    for (const m of metrics.matchAll(/^thanos_blocks_meta_synced\{([^}]*)\} (\d+)$/gm)) {
      if (m[1]!.includes('state="duplicate"')) synced += Number(m[2]);
    }
    expect(synced).toBe(inputs.size);
  }, 240_000);
});
