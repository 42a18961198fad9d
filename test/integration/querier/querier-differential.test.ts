/**
 * The querier in workerd against Prometheus 2.42 over HTTP: the same data in a real Prometheus
 * (promtool-made blocks) and, as the same blocks with an external `replica` label, in the bucket
 * behind the Worker. Every query through `query`, `query_range`, `series`, `labels` and
 * `label/<name>/values` must give the same `data` (after sorting where order is undefined) and
 * the same error type. The replica label is a default replica label, so dedup must remove it.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import {
  ORACLE_QUERIES,
  SPAN,
  T0,
  makeOracleData,
  toOpenMetrics,
} from '../../helpers/promql-oracle-data.ts';
import { canonical, diff } from '../../helpers/prom-compare.ts';

interface ApiBody {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

const INVALID = [
  'sum(',
  'rate(http_requests_total)',
  'http_requests_total[5m] + 1',
  '{}',
  'label_replace(http_requests_total, "dst", "$1", "src", "(")',
  'topk("a", http_requests_total)',
  'foo{a=~"("}',
  'unknown_function(up)',
  '1 and 2',
  'http_requests_total offset 1m offset 2m',
];

describe('querier in workerd vs Prometheus 2.42', () => {
  let tmp: TmpDir;
  let prom: PrometheusHandle;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    const { db, blocks } = await promtoolCreateBlocks(toOpenMetrics(makeOracleData()), tmp.path);
    const promDb = join(tmp.path, 'prom-db');
    await cp(db, promDb, { recursive: true });
    prom = await startPrometheusOnTsdb(promDb, tmp.path);
    worker = await startWorker({ vars: { STORE_TOKEN: 't' } });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const b of blocks)
      await uploadBlock(bucket, join(db, b), { labels: { replica: 'r1' }, source: 'sidecar' });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await prom?.stop();
    await tmp?.remove();
  });

  async function both(
    path: string,
    params: Record<string, string | string[]>,
    method: 'GET' | 'POST' = 'GET',
  ) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    const call = async (base: string): Promise<{ status: number; body: ApiBody }> => {
      const res =
        method === 'GET'
          ? await fetch(`${base}${path}?${q}`)
          : await fetch(`${base}${path}`, {
              method: 'POST',
              body: q,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            });
      return { status: res.status, body: (await res.json()) as ApiBody };
    };
    const [p, w] = await Promise.all([
      call(prom.url),
      call(worker.url.toString().replace(/\/$/, '')),
    ]);
    return { p, w };
  }

  function expectSame(what: string, r: Awaited<ReturnType<typeof both>>): void {
    expect(
      r.w.body.status,
      `${what}: ${r.w.body.error ?? ''} / prometheus: ${r.p.body.error ?? ''}`,
    ).toBe(r.p.body.status);
    expect(r.w.status, what).toBe(r.p.status);
    if (r.p.body.status === 'error') {
      expect(r.w.body.errorType, what).toBe(r.p.body.errorType);
      return;
    }
    const d = diff(canonical(r.w.body.data), canonical(r.p.body.data));
    expect(d, what).toBeUndefined();
  }

  it('answers instant and range queries exactly as Prometheus', async () => {
    let n = 0;
    const mid = (T0 + SPAN / 2) / 1000;
    for (const query of ORACLE_QUERIES) {
      for (const time of [mid, (T0 + SPAN) / 1000 + 37]) {
        expectSame(
          `instant ${query} @ ${time}`,
          await both('/api/v1/query', { query, time: String(time) }),
        );
        n++;
      }
      for (const step of ['15', '60s', '5m']) {
        const r = await both(
          '/api/v1/query_range',
          { query, start: String(T0 / 1000 - 300), end: String((T0 + SPAN) / 1000 + 300), step },
          n % 2 ? 'POST' : 'GET',
        );
        expectSame(`range ${query} step ${step}`, r);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(200);
  }, 600_000);

  it('fails invalid queries with the same error types', async () => {
    for (const query of INVALID) {
      expectSame(
        `invalid ${query}`,
        await both('/api/v1/query', { query, time: String(T0 / 1000 + 600) }),
      );
      expectSame(
        `invalid range ${query}`,
        await both('/api/v1/query_range', {
          query,
          start: String(T0 / 1000),
          end: String(T0 / 1000 + 600),
          step: '60',
        }),
      );
    }
    const badParams: Array<[string, Record<string, string>]> = [
      ['/api/v1/query', { query: 'up', time: 'yesterday' }],
      ['/api/v1/query_range', { query: 'up', start: '10', end: '5', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '0', end: '100000', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '0', end: '100', step: '0' }],
      ['/api/v1/query_range', { query: 'up', start: '0', end: '100', step: 'x' }],
      ['/api/v1/series', {}],
      ['/api/v1/label/0bad/values', {}],
    ];
    for (const [path, params] of badParams)
      expectSame(`bad params ${path} ${JSON.stringify(params)}`, await both(path, params));
  });

  it('formats queries as Prometheus does', async () => {
    for (const query of [
      ...ORACLE_QUERIES.slice(0, 40),
      'sum by (job, instance, code) (rate(http_requests_total{job=~"api|web", code!~"5.."}[5m] offset 1m)) / on (job) group_left () sum by (job) (rate(http_requests_total[5m]))',
      'sum(',
    ]) {
      expectSame(`format_query ${query}`, await both('/api/v1/format_query', { query }));
    }
  });

  it('answers series, labels and label values with match[] and time ranges', async () => {
    const ranges: Array<Record<string, string>> = [
      {},
      { start: String(T0 / 1000), end: String((T0 + SPAN) / 1000) },
      { start: String((T0 + SPAN) / 1000 + 3600), end: String((T0 + SPAN) / 1000 + 7200) },
    ];
    const matches = [
      ['http_requests_total'],
      ['{__name__=~"temp.*"}', 'http_requests_total{code="500"}'],
      ['{job=~".+"}'],
    ];
    for (const range of ranges) {
      for (const m of matches) {
        expectSame(
          `series ${m} ${JSON.stringify(range)}`,
          await both('/api/v1/series', { 'match[]': m, ...range }),
        );
        expectSame(
          `labels ${m} ${JSON.stringify(range)}`,
          await both('/api/v1/labels', { 'match[]': m, ...range }),
        );
        expectSame(
          `values ${m} ${JSON.stringify(range)}`,
          await both('/api/v1/label/__name__/values', { 'match[]': m, ...range }),
        );
      }
      expectSame(
        `values job ${JSON.stringify(range)}`,
        await both('/api/v1/label/job/values', range),
      );
    }
  });
});
