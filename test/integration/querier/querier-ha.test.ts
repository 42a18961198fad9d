/**
 * Thanos's promises in the Worker: two HA replicas of the same Prometheus (one with a gap) are
 * merged into one series without replica labels and without a false counter reset; a dead store
 * becomes a warning (or an error with partial_response=false); /api/v1/stores reports it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { freePort } from '../../helpers/ports.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const GAP: [number, number] = [T0 + 30 * 60_000, T0 + 45 * 60_000];

/** A counter scraped every 15s at `phase` ms, rising by 1 per second; replica `b` is 1000 behind. */
function replicaSeries(replica: 'a' | 'b') {
  const phase = replica === 'a' ? 0 : 5_000;
  const t: number[] = [];
  const v: number[] = [];
  for (let ts = T0 + phase; ts < T0 + HOUR; ts += 15_000) {
    if (replica === 'a' && ts >= GAP[0] && ts < GAP[1]) continue;
    t.push(ts);
    v.push((ts - T0) / 1000 + (replica === 'b' ? -1000 : 0) + 5000);
  }
  return [
    {
      labels: labelsFrom({ __name__: 'c_total', job: 'app' }),
      timestamps: Float64Array.from(t),
      values: Float64Array.from(v),
    },
  ];
}

interface ApiBody {
  status: string;
  data: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      value?: [number, string];
      values?: Array<[number, string]>;
    }>;
  };
  warnings?: string[];
  errorType?: string;
  error?: string;
}

describe('HA replicas, partial response and stores in the Worker', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  let dead: string;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    dead = `http://127.0.0.1:${await freePort()}`;
    worker = await startWorker({
      vars: { STORE_TOKEN: 't', STORES_TOKEN: 't', STORES: dead, STORE_RESPONSE_TIMEOUT: '5s' },
    });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const replica of ['a', 'b'] as const) {
      const meta = await writeBlock(dirSinkFactory(tmp.path), replicaSeries(replica));
      await uploadBlock(bucket, `${tmp.path}/${meta!.ulid}`, {
        labels: { replica, cluster: 'eu' },
        source: 'sidecar',
      });
    }
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await tmp?.remove();
  });

  const get = async (
    path: string,
    params: Record<string, string>,
  ): Promise<{ status: number; body: ApiBody }> => {
    const res = await worker.fetch(`${path}?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as ApiBody };
  };

  it('deduplicates replicas into one series without the replica label', async () => {
    const q = { query: 'c_total', time: String((T0 + 20 * 60_000) / 1000) };
    const deduped = await get('/api/v1/query', q);
    expect(deduped.body.data.result.map((r) => r.metric)).toEqual([
      { __name__: 'c_total', cluster: 'eu', job: 'app' },
    ]);
    const raw = await get('/api/v1/query', { ...q, dedup: 'false' });
    expect(raw.body.data.result.map((r) => r.metric.replica).sort()).toEqual(['a', 'b']);
    const custom = await get('/api/v1/query', { ...q, 'replicaLabels[]': 'cluster' });
    expect(custom.body.data.result.map((r) => r.metric.replica).sort()).toEqual(['a', 'b']);
    expect(custom.body.data.result.every((r) => r.metric.cluster === undefined)).toBe(true);
  });

  it('fills replica a gap from replica b and rate sees no reset across the switch', async () => {
    const range = {
      start: String(T0 / 1000 + 600),
      end: String((T0 + HOUR) / 1000 - 60),
      step: '30',
    };
    const values = await get('/api/v1/query_range', { query: 'c_total', ...range });
    const pts = values.body.data.result[0]!.values!;
    // During a's gap the answer continues from b instead of going missing.
    const inGap = pts.filter(([t]) => t * 1000 > GAP[0] + 60_000 && t * 1000 < GAP[1] - 60_000);
    expect(inGap.length).toBeGreaterThan(10);
    const rate = await get('/api/v1/query_range', { query: 'rate(c_total[2m])', ...range });
    const rates = rate.body.data.result[0]!.values!.map(([, v]) => Number(v));
    expect(rates.length).toBeGreaterThan(50);
    // The true rate is 1/s everywhere; a false reset across the replica switch would spike it.
    for (const r of rates) expect(r).toBeGreaterThan(0.5);
    for (const r of rates) expect(r).toBeLessThan(1.5);
    const resets = await get('/api/v1/query', {
      query: 'resets(c_total[1h])',
      time: String((T0 + HOUR) / 1000 - 60),
    });
    expect(resets.body.data.result[0]!.value![1]).toBe('0');
  });

  it('reports a dead store as a warning, or fails with partial_response=false', async () => {
    const q = { query: 'sum(c_total)', time: String((T0 + 20 * 60_000) / 1000) };
    const partial = await get('/api/v1/query', q);
    expect(partial.status).toBe(200);
    expect(partial.body.data.result).toHaveLength(1);
    expect(partial.body.warnings?.join('\n')).toContain(dead.replace('http://', ''));
    const strict = await get('/api/v1/query', { ...q, partial_response: 'false' });
    expect(strict.body.status).toBe('error');
    expect(strict.status).toBeGreaterThanOrEqual(400);
    expect(strict.body.error).toContain(dead.replace('http://', ''));
  });

  it('lists stores with health and last error', async () => {
    const res = await worker.fetch('/api/v1/stores');
    const body = (await res.json()) as {
      data: Record<
        string,
        Array<{ name: string; healthy: boolean; lastError: string | null; labelSets: unknown[] }>
      >;
    };
    const all = Object.values(body.data).flat();
    const deadEntry = all.find((s) => s.name === dead)!;
    expect(deadEntry.healthy).toBe(false);
    expect(deadEntry.lastError).toBeTruthy();
    const bucketEntry = all.find((s) => s.name.startsWith('bucket:'))!;
    expect(bucketEntry.healthy).toBe(true);
    expect(bucketEntry.labelSets).toHaveLength(2);
  });
});

describe('query limits in the Worker end queries with Prometheus-style errors', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    worker = await startWorker({
      vars: { STORE_TOKEN: 't', QUERY_MAX_SERIES: '1', QUERY_MAX_SAMPLES: '100' },
    });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const replica of ['a', 'b'] as const) {
      const meta = await writeBlock(dirSinkFactory(tmp.path), replicaSeries(replica));
      await uploadBlock(bucket, `${tmp.path}/${meta!.ulid}`, {
        labels: { replica, cluster: 'eu' },
        source: 'sidecar',
      });
    }
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await tmp?.remove();
  });

  const get = async (
    params: Record<string, string>,
  ): Promise<{ status: number; body: ApiBody }> => {
    const res = await worker.fetch(`/api/v1/query?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as ApiBody };
  };

  // First, while blocks are cold: workerd's clock only moves across I/O, so a timeout needs some.
  it('a timeout fails with errorType timeout 503', async () => {
    const r = await get({
      query: 'c_total{replica="a"}',
      time: String((T0 + 20 * 60_000) / 1000),
      timeout: '1ms',
    });
    expect(r.body.errorType).toBe('timeout');
    expect(r.status).toBe(503);
  });

  it('a query within the limits answers', async () => {
    const ok = await get({
      query: 'c_total{replica="a"}',
      time: String((T0 + 20 * 60_000) / 1000),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.result).toHaveLength(1);
  });

  it('too many series (counted as loaded, before dedup) fail with execution 422', async () => {
    const r = await get({ query: 'c_total', time: String((T0 + 20 * 60_000) / 1000) });
    expect(r.status).toBe(422);
    expect(r.body.errorType).toBe('execution');
    expect(r.body.error).toMatch(/series limit/);
  });

  it('samples count as Prometheus counts them: held at once, not streamed from the stores', async () => {
    // ~180 raw samples stream through for 5 steps of one series: Prometheus (limit 100) answers.
    const res = await worker.fetch(
      `/api/v1/query_range?${new URLSearchParams({
        query: 'c_total{replica="a"}',
        start: String(T0 / 1000 + 60),
        end: String((T0 + HOUR) / 1000 - 60),
        step: '840',
      })}`,
    );
    const body = (await res.json()) as ApiBody;
    expect(res.status).toBe(200);
    expect(body.data.result[0]?.values?.length).toBeGreaterThan(3);
  });

  it('too many samples fail with Prometheus error text', async () => {
    const r = await get({
      query: 'sum_over_time(c_total{replica="a"}[1h])',
      time: String((T0 + HOUR) / 1000),
    });
    expect(r.status).toBe(422);
    expect(r.body.error).toContain('query processing would load too many samples into memory');
  });
});
