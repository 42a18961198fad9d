/**
 * The store gateway at bucket scale in workerd: 108 two-hour blocks (9 days, one Prometheus) in
 * s3rver behind four store shards, the same blocks in Prometheus 2.42. Answers must equal
 * Prometheus's for selectors, aggregations and `count({__name__=~".+"})`; a cold block open costs
 * at most 3 object-store requests (its index header built the first time, then one read), a
 * repeated query none at all, and once the shards have written their bucket index a fresh Worker
 * opens all of a shard's blocks with one read of its header pack.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketIndexKey, parseBucketIndex } from '../../../core/block/bucket-index.ts';
import { getAll } from '../../../core/objstore/bucket.ts';
import type { ScaleData } from '../../../scripts/lib/scale-data.ts';
import { canonical, diff } from '../../helpers/prom-compare.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { s3Bucket, scaleBucket, scaleWorker } from '../../helpers/scale-stack.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import type { WorkerHandle } from '../../helpers/worker.ts';

/** How long a test waits for one answer; the Worker's QUERY_TIMEOUT (40s) ends a query first. */
const QUERY_WAIT_MS = 50_000;

interface ReadStatsJson {
  reads: number;
  objstoreRequests: number;
}
interface StoreStatsJson {
  blocksQueried: number;
  objstoreRequests: number;
  other: ReadStatsJson;
}
interface Answer {
  status: string;
  data: { stats?: { store: StoreStatsJson } } & Record<string, unknown>;
  warnings?: string[];
}

const QUERIES = [
  'up',
  'node_memory_MemAvailable_bytes{instance="node-2:9100"}',
  'http_requests_total{code=~"5..", handler!="/healthz"}',
  'sum(rate(http_requests_total[1h]))',
  'sum by (job, mode) (rate(node_cpu_seconds_total[2h]))',
  'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[2h])))',
  'count({__name__=~".+"})',
  'count by (__name__) ({__name__=~".+"})',
  'max_over_time(node_network_receive_bytes_total{device="eth0"}[6h])',
  'topk(2, avg_over_time(node_memory_MemAvailable_bytes[3h]))',
];

describe('store gateway over 108 blocks in s3rver, 4 shards, vs Prometheus 2.42', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  let data: ScaleData;
  let prom: PrometheusHandle;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir('scale-');
    s3 = await startS3rver();
    data = await scaleBucket(s3, join(tmp.path, 'tsdb'), { days: 9 });
    prom = await startPrometheusOnTsdb(join(tmp.path, 'tsdb'), tmp.path, [
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=2h',
    ]);
    worker = await scaleWorker(s3, { shards: 4, vars: { QUERY_TIMEOUT: '40s' } });
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await prom?.stop();
    await s3?.stop();
    await tmp?.remove();
  });

  const range = (q: string, extra = ''): string =>
    `/api/v1/query_range?${new URLSearchParams({
      query: q,
      start: String(data.minTime / 1000),
      end: String(data.maxTime / 1000 - 1),
      step: '7200',
    })}${extra}`;
  // A query that does not answer fails alone, naming itself: the Worker's own timeout (below the
  // test's) answers first with what it was waiting for; the client's, if even that never comes.
  const ours = async (path: string): Promise<Answer> => {
    const started = Date.now();
    const res = await worker
      .fetch(path, { signal: AbortSignal.timeout(QUERY_WAIT_MS) })
      .catch((err: unknown) => {
        throw new Error(`${path}: no answer after ${Date.now() - started} ms: ${String(err)}`);
      });
    const body = (await res.json()) as Answer;
    expect(
      res.status,
      `${path} after ${Date.now() - started} ms: ${JSON.stringify(body).slice(0, 800)}`,
    ).toBe(200);
    return body;
  };
  const theirs = async (path: string): Promise<Answer> =>
    (await (await fetch(`${prom.url}${path}`)).json()) as Answer;

  /**
   * Waits until the shards' bucket indexes pack every block's index header. Shards write their
   * index in the background after a sync that finds it stale (a fresh Worker's first one does).
   */
  const untilEveryBlockPacked = async (): Promise<void> => {
    const bucket = s3Bucket(s3);
    const deadline = Date.now() + 60_000;
    for (;;) {
      let packed = 0;
      for (let i = 0; i < 4; i++) {
        const key = bucketIndexKey(`shard-${i}-of-4-block`);
        // s3rver serves an object while its PUT is still being written (S3 and R2 never do): a
        // truncated index is one not written yet.
        const index = (await bucket.exists(key))
          ? await getAll(bucket, key)
              .then(parseBucketIndex)
              .catch(() => undefined)
          : undefined;
        for (const e of index?.blocks.values() ?? []) if (e.header) packed++;
      }
      if (packed === data.blocks.length) return;
      expect(Date.now(), `${packed} of ${data.blocks.length} blocks packed`).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  it('made a bucket of more than 100 blocks', () => {
    expect(data.blocks.length).toBeGreaterThanOrEqual(100);
  });

  // First, while every isolate and cache is cold and no block has an index header yet.
  it('opens each block in at most 3 object-store requests; a repeated query makes none', async () => {
    const q = range('count({__name__=~".+"})', '&stats=all');
    const cold = (await ours(q)).data.stats!.store;
    expect(cold.blocksQueried).toBe(data.blocks.length);
    // Opening: the index header read or built (≤ 2 index reads), no tombstones read (listed).
    expect(cold.other.objstoreRequests).toBeGreaterThan(0);
    expect(cold.other.objstoreRequests).toBeLessThanOrEqual(3 * cold.blocksQueried);
    const again = (await ours(q)).data.stats!.store;
    expect(again.blocksQueried).toBe(data.blocks.length);
    expect(again.objstoreRequests).toBe(0);
    // A fresh Worker (new isolates, empty caches) finds the headers written back: one read each.
    const fresh = await scaleWorker(s3, { shards: 4 });
    try {
      const res = await fresh.fetch(q);
      const stats = ((await res.json()) as Answer).data.stats!.store;
      expect(stats.blocksQueried).toBe(data.blocks.length);
      expect(stats.other.objstoreRequests).toBe(stats.blocksQueried);
      // Its shards found the index without headers and write it again: stopping the Worker
      // before they are done would leave the next test nothing to read.
      await untilEveryBlockPacked();
    } finally {
      await fresh.stop();
    }
  });

  it('lets a fresh Worker open every block of a shard from its bucket index in one read', async () => {
    await untilEveryBlockPacked();
    const q = range('count({__name__=~".+"})', '&stats=all');
    const expected = await ours(q);
    const fresh = await scaleWorker(s3, { shards: 4 });
    try {
      const res = await fresh.fetch(q);
      const body = (await res.json()) as Answer;
      const stats = body.data.stats!.store;
      expect(stats.blocksQueried).toBe(data.blocks.length);
      // One header-pack read per shard (each pack is far below the 4 MiB read window).
      expect(stats.other.objstoreRequests).toBe(4);
      // The shards' indexes were written from listings seconds ago: they stand in for listings.
      const metrics = await (await fresh.fetch('/metrics')).text();
      const listings = metrics
        .split('\n')
        .filter((l) => l.startsWith('thanos_objstore_bucket_operations_total{'))
        .filter((l) => l.includes('operation="iter"'));
      expect(listings.length).toBeGreaterThanOrEqual(4);
      expect(listings.reduce((n, l) => n + Number(l.split(' ').pop()), 0)).toBe(0);
      const { stats: _a, ...got } = body.data;
      const { stats: _b, ...want } = expected.data;
      expect(got).toEqual(want);
    } finally {
      await fresh.stop();
    }
  });

  it("shares a fresh shard's opens between a query's selectors", async () => {
    await untilEveryBlockPacked();
    // Two selectors: the querier asks every shard twice at once. A shard is a Durable Object,
    // whose requests share one I/O context: the second request waits on the blocks the first is
    // opening instead of opening each again (and reading every header pack again for them).
    const q = 'count({__name__=~".+"}) - count({__name__=~".+", job!=""})';
    const expected = await ours(range(q));
    const fresh = await scaleWorker(s3, { shards: 4 });
    try {
      const res = await fresh.fetch(range(q, '&stats=all'));
      const body = (await res.json()) as Answer;
      const stats = body.data.stats!.store;
      expect(stats.blocksQueried).toBe(2 * data.blocks.length);
      // At most one pack read per shard per selector (opened apart, each shard read 13 or more).
      expect(stats.other.objstoreRequests).toBeGreaterThanOrEqual(4);
      expect(stats.other.objstoreRequests).toBeLessThanOrEqual(8);
      const { stats: _a, ...got } = body.data;
      const { stats: _b, ...want } = expected.data;
      expect(got).toEqual(want);
    } finally {
      await fresh.stop();
    }
  });

  it('answers range queries over every block as Prometheus does', async () => {
    for (const q of QUERIES) {
      const [w, p] = await Promise.all([ours(range(q)), theirs(range(q))]);
      expect(p.status, q).toBe('success');
      expect(diff(canonical(w.data), canonical(p.data)), q).toBeUndefined();
      expect(w.warnings ?? [], q).toEqual([]);
    }
  });

  it('answers instant queries at the edges and in the middle as Prometheus does', async () => {
    const times = [data.minTime + 60_000, (data.minTime + data.maxTime) / 2, data.maxTime - 1];
    for (const q of QUERIES) {
      for (const t of times) {
        const path = `/api/v1/query?${new URLSearchParams({ query: q, time: String(t / 1000) })}`;
        const [w, p] = await Promise.all([ours(path), theirs(path)]);
        expect(diff(canonical(w.data), canonical(p.data)), `${q} @ ${t}`).toBeUndefined();
      }
    }
  });
});
