/**
 * The query frontend in workerd, against the querier without it. Worker `direct` holds the
 * blocks (QUERY_FRONTEND=false); worker `front` has no bucket and reads `direct` through its
 * StoreAPI (querier of queriers), with the frontend splitting at 10 minutes and caching in the
 * Cache API. A counting proxy between them records every StoreAPI series request, so the test
 * sees what reached the stores. Answers through the frontend must be byte-identical to the
 * querier's own, cold and from the cache, for every query (counter resets across split
 * boundaries, `@`, `offset`, subqueries, topk, random queries, errors).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { decodeSeriesRequest } from '../../../core/storeapi/codec.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import {
  ORACLE_QUERIES,
  SPAN,
  T0,
  makeOracleData,
  toOpenMetrics,
} from '../../helpers/promql-oracle-data.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { generateQueries } from '../promql/promql-query-gen.ts';

interface SeriesCall {
  readonly minTime: number;
  readonly maxTime: number;
}

/** A loopback HTTP proxy that forwards everything and records StoreAPI series requests. */
async function countingProxy(
  target: URL,
): Promise<{ server: Server; url: string; calls: SeriesCall[] }> {
  const calls: SeriesCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/api/v1/store/series') {
        const r = decodeSeriesRequest(new Uint8Array(body));
        calls.push({ minTime: r.minTime, maxTime: r.maxTime });
      }
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, calls };
}

const START = T0 / 1000 + 300;
const END = (T0 + SPAN) / 1000 - 300;
const STEP = 30;

const HANDPICKED = [
  // instance b's counter resets at i % 97 == 50: inside several 10-minute splits
  'rate(http_requests_total{instance="b"}[5m])',
  'increase(http_requests_total[15m])',
  'resets(http_requests_total[20m])',
  'http_requests_total @ 1700003600',
  'rate(http_requests_total[5m] @ 1700004000)',
  'http_requests_total offset 7m',
  'sum(rate(http_requests_total[5m] offset -3m))',
  'max_over_time(rate(http_requests_total[2m])[10m:1m])',
  'sum_over_time(sum(http_requests_total)[7m:45s] offset 2m)',
  'topk(2, rate(http_requests_total[5m]))',
  'bottomk(1, sum by (instance) (http_requests_total))',
  'timestamp(http_requests_total)',
  'time() - 1700000000',
  'http_requests_total @ start()',
  'rate(http_requests_total[5m] @ end())',
];

describe('query frontend in workerd vs the querier alone', () => {
  let tmp: TmpDir;
  let direct: WorkerHandle;
  let front: WorkerHandle;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    const { db, blocks } = await promtoolCreateBlocks(toOpenMetrics(makeOracleData()), tmp.path);
    direct = await startWorker({ vars: { STORE_TOKEN: 't', QUERY_FRONTEND: 'false' } });
    const bucket = new R2Bucket((await direct.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const b of blocks)
      await uploadBlock(bucket, join(db, b), { labels: { replica: 'r0' }, source: 'sidecar' });
    proxy = await countingProxy(direct.url);
    front = await startWorker({
      r2: false,
      vars: {
        STORE_TOKEN: 't',
        STORES: proxy.url,
        STORES_TOKEN: 't',
        S3_ENDPOINT: '',
        S3_BUCKET: '',
        QUERY_SPLIT_INTERVAL: '10m',
        QUERY_MAX_FRESHNESS: '1m',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await front?.stop();
    await direct?.stop();
    if (proxy) await new Promise((r) => proxy.server.close(r));
    await tmp?.remove();
  });

  const rangeOf = (query: string, start = START, end = END, extra: Record<string, string> = {}) =>
    `/api/v1/query_range?${new URLSearchParams({ query, start: String(start), end: String(end), step: String(STEP), ...extra })}`;

  const answer = async (w: WorkerHandle, path: string, init?: RequestInit) => {
    const res = await w.fetch(path, init);
    return { status: res.status, text: await res.text() };
  };

  const metric = async (name: string): Promise<number> => {
    const text = await (await front.fetch('/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1] ?? NaN);
  };

  const queries = [...HANDPICKED, ...ORACLE_QUERIES, ...generateQueries(20261203, 40, 0, true)];

  it(`${queries.length} range queries: identical answers cold and from the cache`, async () => {
    const failures: string[] = [];
    let successes = 0;
    for (const q of queries) {
      const want = await answer(direct, rangeOf(q));
      const cold = await answer(front, rangeOf(q));
      const warm = await answer(front, rangeOf(q));
      if (want.status === 200) successes++;
      for (const [name, got] of [
        ['cold', cold],
        ['cached', warm],
      ] as const) {
        if (got.status !== want.status || got.text !== want.text) {
          failures.push(
            `${name} ${q}: ${got.status} ${got.text.slice(0, 200)}\n  want ${want.status} ${want.text.slice(0, 200)}`,
          );
        }
      }
    }
    expect(failures.slice(0, 10), failures.slice(0, 10).join('\n')).toEqual([]);
    // Most must be real answers, not matching error texts.
    expect(successes).toBeGreaterThan(40);
    // Each query reached the querier once, as one query over its span, though it was split into
    // 10-minute pieces: the repeat came from the cache.
    const downstream = await metric('thanos_frontend_split_queries_total');
    expect(downstream).toBeGreaterThan(40);
    expect(downstream).toBeLessThanOrEqual(queries.length);
  }, 600_000);

  it('a window moved by 30 s asks the stores only for the new tail', async () => {
    const q = 'sum by (instance) (rate(http_requests_total[5m]))';
    const first = await answer(front, rangeOf(q, START, END - 600));
    expect(first.status).toBe(200);
    const before = proxy.calls.length;
    const moved = await answer(front, rangeOf(q, START + 30, END - 570));
    const calls = proxy.calls.slice(before);
    expect(moved.text).toBe((await answer(direct, rangeOf(q, START + 30, END - 570))).text);
    // One split computes one step; its store request covers that step and the 5m range before it.
    expect(calls).toHaveLength(1);
    const lastStep = (END - 570) * 1000;
    expect(calls[0]!.maxTime).toBeLessThanOrEqual(lastStep);
    expect(calls[0]!.minTime).toBeGreaterThanOrEqual(lastStep - 5 * 60_000 - 30_000);
    // Asked again: nothing at all reaches the stores.
    const again = proxy.calls.length;
    await answer(front, rangeOf(q, START + 30, END - 570));
    expect(proxy.calls.length).toBe(again);
  });

  it('errors and partial answers are never cached; cache=false and no-store bypass the cache', async () => {
    const bad = rangeOf('rate(http_requests_total)');
    const addedBefore = await metric('querier_cache_added_new_total');
    const e1 = await answer(front, bad);
    const e2 = await answer(front, bad);
    expect(e1.status).toBe(400);
    expect(e2).toEqual(e1);
    expect(JSON.parse(e1.text)).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(await metric('querier_cache_added_new_total')).toBe(addedBefore);

    const q = 'sum(http_requests_total)';
    await answer(front, rangeOf(q));
    for (const bypass of [
      [rangeOf(q, START, END, { cache: 'false' }), undefined],
      [rangeOf(q), { headers: { 'cache-control': 'no-store' } }],
    ] as const) {
      const before = proxy.calls.length;
      const r = await answer(front, bypass[0], bypass[1]);
      expect(r.status).toBe(200);
      // Answered from the cache it would reach no store at all.
      expect(proxy.calls.length - before).toBeGreaterThan(0);
    }
  });

  it('labels, series and label values answer as the querier does, and from the cache', async () => {
    const paths = [
      `/api/v1/labels?start=${START}&end=${END}`,
      `/api/v1/series?match[]=http_requests_total&start=${START}&end=${END}`,
      `/api/v1/label/instance/values?start=${START}&end=${END}`,
    ];
    for (const path of paths) {
      const want = await answer(direct, path);
      expect(await answer(front, path)).toEqual(want);
      const gets = await metric('querier_cache_gets_total');
      const misses = await metric('querier_cache_misses_total');
      expect(await answer(front, path)).toEqual(want);
      expect(await metric('querier_cache_gets_total')).toBe(gets + 1);
      expect(await metric('querier_cache_misses_total')).toBe(misses);
    }
  });
});
