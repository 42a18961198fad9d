/**
 * The Prometheus/Thanos API extras in workerd (#17): CORS as Prometheus sets it (preflight, a
 * matching and a refused origin), `storeMatch[]` choosing stores by external labels and address,
 * `lookback_delta` per request, `engine` accepted, the default subquery step from
 * QUERY_DEFAULT_EVALUATION_INTERVAL, and the request metrics on /metrics.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const T0 = 1_700_000_000_000;
const TOKEN = 'extras-token';

interface Body {
  status: string;
  errorType?: string;
  error?: string;
  data: { result: Array<{ metric: Record<string, string>; value?: [number, string] }> };
}

describe('API extras in workerd', () => {
  let tmp: TmpDir;
  let east: WorkerHandle;
  let west: WorkerHandle;
  let global: WorkerHandle;

  async function upload(w: WorkerHandle, cluster: string, value: number): Promise<void> {
    // One sample every 15 s for 10 minutes, then silence: lookback decides what an instant sees.
    const t = Float64Array.from({ length: 40 }, (_, i) => T0 + i * 15_000);
    const dir = `${tmp.path}/${cluster}`;
    const meta = await writeBlock(dirSinkFactory(dir), [
      {
        labels: labelsFrom({ __name__: 'temp', job: 'j' }),
        timestamps: t,
        values: t.map(() => value),
      },
    ]);
    const bucket = new R2Bucket((await w.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    await uploadBlock(bucket, `${dir}/${meta!.ulid}`, { labels: { cluster }, source: 'sidecar' });
  }

  beforeAll(async () => {
    tmp = await makeTmpDir();
    east = await startWorker({ vars: { STORE_TOKEN: TOKEN } });
    west = await startWorker({ vars: { STORE_TOKEN: TOKEN } });
    await upload(east, 'east', 1);
    await upload(west, 'west', 2);
    global = await startWorker({
      r2: false,
      vars: {
        STORE_TOKEN: TOKEN,
        STORES: [east, west].map((w) => w.url.toString().replace(/\/$/, '')).join(','),
        STORES_TOKEN: TOKEN,
        WEB_CORS_ORIGIN: 'https://grafana\\.example\\.com',
        QUERY_DEFAULT_EVALUATION_INTERVAL: '5m',
        QUERY_MAX_LENGTH: '1KiB',
        QUERY_MAX_DEPTH: '50',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await global?.stop();
    await east?.stop();
    await west?.stop();
    await tmp?.remove();
  });

  const query = async (params: Record<string, string>): Promise<{ status: number; body: Body }> => {
    const r = await global.fetch(`/api/v1/query?${new URLSearchParams(params)}`);
    return { status: r.status, body: (await r.json()) as Body };
  };
  const at = (s: number) => String(T0 / 1000 + s);

  it('answers CORS preflights and echoes only a matching origin', async () => {
    const pre = await global.fetch('/api/v1/query', {
      method: 'OPTIONS',
      headers: { origin: 'https://grafana.example.com', 'access-control-request-method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://grafana.example.com');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const ok = await global.fetch(`/api/v1/query?query=1&time=${at(0)}`, {
      headers: { origin: 'https://grafana.example.com' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://grafana.example.com');
    const evil = await global.fetch(`/api/v1/query?query=1&time=${at(0)}`, {
      headers: { origin: 'https://grafana.example.com.evil.io' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('vary')?.split(/,\s*/)).toContain('Origin');
  });

  it('chooses stores with storeMatch[] by external labels and by address', async () => {
    const all = await query({ query: 'temp', time: at(300) });
    expect(all.body.data.result.map((r) => r.metric.cluster).sort()).toEqual(['east', 'west']);
    const onlyWest = await query({
      query: 'temp',
      time: at(300),
      'storeMatch[]': '{cluster="west"}',
    });
    expect(onlyWest.body.data.result.map((r) => r.metric.cluster)).toEqual(['west']);
    const byAddress = await query({
      query: 'temp',
      time: at(300),
      'storeMatch[]': `{__address__="${east.url.toString().replace(/\/$/, '')}"}`,
    });
    expect(byAddress.body.data.result.map((r) => r.metric.cluster)).toEqual(['east']);
    const bad = await query({ query: 'temp', time: at(300), 'storeMatch[]': 'rate(x[5m])' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('storeMatch[]');
  });

  it('takes lookback_delta per request', async () => {
    // The last sample is at 585 s; at 900 s the default 5m lookback no longer sees it.
    expect((await query({ query: 'temp', time: at(900) })).body.data.result).toHaveLength(0);
    const wide = await query({ query: 'temp', time: at(900), lookback_delta: '10m' });
    expect(wide.body.data.result).toHaveLength(2);
  });

  it('applies QUERY_MAX_LENGTH and QUERY_MAX_DEPTH from env, on instant and split range queries', async () => {
    const long = await query({ query: `1${'+1'.repeat(600)}`, time: at(0) });
    expect(long.status).toBe(400);
    expect(long.body.errorType).toBe('bad_data');
    const deep = `${'('.repeat(60)}1${')'.repeat(60)}`;
    expect((await query({ query: deep, time: at(0) })).status).toBe(400);
    const r = await global.fetch(
      `/api/v1/query_range?${new URLSearchParams({ query: `vector(1)${'+1'.repeat(600)}`, start: at(0), end: at(600), step: '60' })}`,
    );
    expect(r.status).toBe(400);
    expect(
      (await query({ query: `${'('.repeat(20)}1${')'.repeat(20)}`, time: at(0) })).status,
    ).toBe(200);
  });

  it('accepts engine=prometheus|thanos and refuses others', async () => {
    for (const engine of ['prometheus', 'thanos']) {
      expect((await query({ query: '1', time: at(0), engine })).status).toBe(200);
    }
    const r = await query({ query: '1', time: at(0), engine: 'v8' });
    expect(r.status).toBe(400);
    expect(r.body.errorType).toBe('bad_data');
  });

  it('steps subqueries without a step at QUERY_DEFAULT_EVALUATION_INTERVAL', async () => {
    // Over 10m at a 5m step, the subquery has 2 points (or 3 with one on the boundary); at 1m it would have 10.
    const r = await query({ query: 'count_over_time(temp{cluster="east"}[10m:])', time: at(600) });
    expect(Number(r.body.data.result[0]!.value![1])).toBeLessThanOrEqual(3);
  });

  it('reports its flags, runtime info and configuration, without secrets', async () => {
    const flags = (
      (await (await global.fetch('/api/v1/status/flags')).json()) as {
        data: Record<string, string>;
      }
    ).data;
    expect(flags['query.default-evaluation-interval']).toBe('5m');
    expect(flags.store!.split(',')).toHaveLength(2);
    expect(JSON.stringify(flags)).not.toContain(TOKEN);
    const info = (
      (await (await global.fetch('/api/v1/status/runtimeinfo')).json()) as {
        data: { startTime: string };
      }
    ).data;
    expect(Date.parse(info.startTime)).toBeLessThanOrEqual(Date.now());
    const config = (
      (await (await global.fetch('/api/v1/status/config')).json()) as {
        data: { yaml: string };
      }
    ).data.yaml;
    expect(config).toContain('query.default-evaluation-interval: "5m"');
    expect(config).not.toContain(TOKEN);
  });

  it('ends metadata reads at the query timeout when a store hangs (finding 2)', async () => {
    // A FAKE store that accepts connections and never answers: no real store hangs on demand.
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const w = await startWorker({
      r2: false,
      vars: {
        STORE_TOKEN: TOKEN,
        STORES: url,
        STORES_TOKEN: TOKEN,
        QUERY_TIMEOUT: '1s',
        S3_ENDPOINT: '',
        S3_BUCKET: '',
      },
    });
    try {
      for (const path of [
        '/api/v1/labels',
        '/api/v1/label/job/values',
        '/api/v1/series?match[]=up',
      ]) {
        const began = Date.now();
        const r = await w.fetch(path);
        const body = (await r.json()) as {
          status: string;
          errorType?: string;
          warnings?: string[];
        };
        expect(Date.now() - began, path).toBeLessThan(6000);
        // Partial response: the hung store is a warning; without it the answer is a timeout.
        if (r.status === 200) expect(body.warnings?.join(' '), path).toContain('127.0.0.1');
        else expect(body.errorType, path).toBe('timeout');
      }
    } finally {
      await w.stop();
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
  });

  it('exports request metrics by route on /metrics', async () => {
    const text = await (await global.fetch('/metrics')).text();
    expect(text).toMatch(
      /http_requests_total\{handler="\/api\/v1\/query",code="200",method="GET"\} \d+/,
    );
    expect(text).toMatch(
      /http_requests_total\{handler="\/api\/v1\/query",code="400",method="GET"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{handler="\/api\/v1\/query",le="\+Inf"\} \d+/,
    );
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain('thanos_edge_query_failed_total');
    const east_ = await (await east.fetch('/metrics')).text();
    expect(east_).toMatch(/thanos_edge_bucket_store_series_returned_total [1-9]/);
  });
});
