/**
 * The frontend's memory tier in workerd under a dashboard's refresh: the same queries asked in
 * the same order again and again, their cached extents together larger than the tier. Worker
 * `direct` holds the blocks (QUERY_FRONTEND=false); `sizing` and `front` have no bucket and read
 * `direct` through its StoreAPI. `sizing` (a tier big enough for all) tells how many bytes each
 * query's extents take; `front` gets a tier for about half of them. Plain LRU would keep none of
 * the cycle there (each entry put pushes out the one asked for next); the tier must keep a part,
 * say so in /metrics, and answer exactly as the querier does throughout.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { SPAN, T0, makeOracleData, toOpenMetrics } from '../../helpers/promql-oracle-data.ts';
import { metricValue } from '../../helpers/prometheus-compaction.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const START = T0 / 1000 + 300;
const END = (T0 + SPAN) / 1000 - 300;
const STEP = 30;

/** A dashboard's panels, each cached as one extent per 1h split. */
const PANELS = [
  'rate(http_requests_total[5m])',
  'http_requests_total',
  'sum by (instance) (rate(http_requests_total[2m]))',
  'http_requests_total * 2',
  'deriv(http_requests_total[10m])',
  'max_over_time(http_requests_total[3m])',
];

describe('frontend memory tier under a refresh cycle larger than it', () => {
  let tmp: TmpDir;
  let direct: WorkerHandle;
  const started: WorkerHandle[] = [];

  const frontWorker = async (memoryBytes: number): Promise<WorkerHandle> => {
    const w = await startWorker({
      r2: false,
      vars: {
        STORE_TOKEN: 't',
        STORES: direct.url.toString().replace(/\/$/, ''),
        STORES_TOKEN: 't',
        S3_ENDPOINT: '',
        S3_BUCKET: '',
        QUERY_SPLIT_INTERVAL: '1h',
        QUERY_MAX_FRESHNESS: '1m',
        QUERY_RESULTS_CACHE_MEMORY: String(memoryBytes),
      },
    });
    started.push(w);
    return w;
  };

  beforeAll(async () => {
    tmp = await makeTmpDir();
    const { db, blocks } = await promtoolCreateBlocks(toOpenMetrics(makeOracleData()), tmp.path);
    direct = await startWorker({ vars: { STORE_TOKEN: 't', QUERY_FRONTEND: 'false' } });
    const bucket = new R2Bucket((await direct.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const b of blocks)
      await uploadBlock(bucket, join(db, b), { labels: { replica: 'r0' }, source: 'sidecar' });
  }, 120_000);

  afterAll(async () => {
    for (const w of started) await w.stop();
    await direct?.stop();
    await tmp?.remove();
  });

  const rangeOf = (query: string): string =>
    `/api/v1/query_range?${new URLSearchParams({ query, start: String(START), end: String(END), step: String(STEP) })}`;

  const text = async (w: WorkerHandle, path: string): Promise<string> => {
    const res = await w.fetch(path);
    expect(res.status, path).toBe(200);
    return res.text();
  };

  const metric = (w: WorkerHandle, name: string): Promise<number> =>
    metricValue(w.url.toString().replace(/\/$/, ''), name);

  it('keeps part of the cycle in memory, says so in /metrics, and answers as the querier', async () => {
    const want = new Map<string, string>();
    for (const q of PANELS) want.set(q, await text(direct, rangeOf(q)));

    // Each panel's bytes in the tier, from a tier that holds them all.
    const sizing = await frontWorker(256 << 20);
    const sizes: number[] = [];
    for (const q of PANELS) {
      const before = await metric(sizing, 'thanos_edge_frontend_memory_cache_bytes');
      expect(await text(sizing, rangeOf(q))).toBe(want.get(q));
      sizes.push((await metric(sizing, 'thanos_edge_frontend_memory_cache_bytes')) - before);
    }
    expect(sizes.every((b) => b > 0)).toBe(true);
    const total = sizes.reduce((a, b) => a + b, 0);

    const front = await frontWorker(Math.floor(total / 2));
    const refreshes = 6;
    for (let r = 0; r < refreshes; r++)
      for (const q of PANELS) expect(await text(front, rangeOf(q)), q).toBe(want.get(q));

    const hits = await metric(front, 'thanos_edge_frontend_memory_cache_hits_total');
    const misses = await metric(front, 'thanos_edge_frontend_memory_cache_misses_total');
    const rejected = await metric(front, 'thanos_edge_frontend_memory_cache_rejected_total');
    const held = await metric(front, 'thanos_edge_frontend_memory_cache_bytes');
    // After the first pass, about half the panels' extents answer from memory at every refresh
    // (LRU alone: none); what did not fit was turned away rather than pushing the rest out.
    expect(hits).toBeGreaterThan(0);
    expect(hits / (hits + misses)).toBeGreaterThan(0.2);
    expect(rejected).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(Math.floor(total / 2));
  }, 300_000);
});
