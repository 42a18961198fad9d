/**
 * @module test/integration/promql/promql-workerd.test — the engine is runtime-neutral: bundled with its
 * parser, function table and in-memory storage into a Worker module, it runs inside workerd
 * (Miniflare) and gives the same answers as in Node for the same data and queries.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../core/promql/engine/engine.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';
import { startMiniflare, type MiniflareHandle } from '../../helpers/miniflare.ts';
import { SPAN, T0, makeOracleData } from '../../helpers/promql-oracle-data.ts';

const WORKER = `
import { Engine } from './core/promql/engine/engine.ts';
import { MemoryStorage } from './core/promql/storage/memory.ts';
import { makeOracleData } from './test/helpers/promql-oracle-data.ts';

const storage = new MemoryStorage();
for (const s of makeOracleData()) storage.append(s.labels, s.t, s.v);
const engine = new Engine(storage);

export default {
  async fetch(req) {
    const { query, start, end, step } = await req.json();
    try {
      const r = step ? await engine.rangeQuery(query, start, end, step) : await engine.instantQuery(query, start);
      return Response.json(toJson(r.value));
    } catch (err) {
      return Response.json({ error: err.message }, { status: 422 });
    }
  },
};

function toJson(v) {
  const f = (x) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : x);
  if (v.type === 'vector') return v.samples.map((s) => [s.metric, s.t, f(s.v)]);
  if (v.type === 'matrix') return v.series.map((s) => [s.metric, [...s.t], [...s.v].map(f)]);
  return [v.t, typeof v.v === 'number' ? f(v.v) : v.v];
}
`;

function toJson(v: Awaited<ReturnType<Engine['instantQuery']>>['value']): unknown {
  const f = (x: number) =>
    Number.isNaN(x) ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : x;
  if (v.type === 'vector') return v.samples.map((s) => [s.metric, s.t, f(s.v)]);
  if (v.type === 'matrix') return v.series.map((s) => [s.metric, [...s.t], [...s.v].map(f)]);
  return [v.t, typeof v.v === 'number' ? f(v.v) : v.v];
}

const QUERIES: [string, number, number, number][] = [
  ['sum by (job) (rate(http_requests_total[5m]))', T0 + 30 * 60_000, 0, 0],
  ['topk(2, temperature_celsius)', T0 + 61 * 60_000, 0, 0],
  [
    'histogram_quantile(0.9, sum by (le) (rate(req_duration_seconds_bucket[5m])))',
    T0,
    T0 + SPAN,
    60_000,
  ],
  ['max_over_time(rate(http_requests_total[2m])[10m:1m] @ end())', T0, T0 + SPAN, 300_000],
  [
    'count_values("v", sparse_gauge) or label_replace(up, "x", "$1", "instance", "(.*)")',
    T0,
    T0 + SPAN,
    37_000,
  ],
  ['http_requests_total / on(instance, job) group_left(version) info_metric', T0 + SPAN, 0, 0],
  ['temperature_celsius[2m]', T0 + 10 * 60_000, 0, 0],
  ['label_replace(up, "instance", "x", "", "")', T0, 0, 0],
];

describe('PromQL engine in workerd', () => {
  let mf: MiniflareHandle;
  const node = new Engine(
    (() => {
      const s = new MemoryStorage();
      for (const x of makeOracleData()) s.append(x.labels, x.t, x.v);
      return s;
    })(),
  );

  beforeAll(async () => {
    const out = await build({
      stdin: {
        contents: WORKER,
        resolveDir: resolve(import.meta.dirname, '../../..'),
        loader: 'ts',
        sourcefile: 'promql-worker.ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    mf = await startMiniflare({ script: out.outputFiles[0]!.text, r2Buckets: [] });
  });

  afterAll(async () => {
    await mf?.stop();
  });

  it('answers like the Node engine', async () => {
    let withData = 0;
    for (const [query, start, end, step] of QUERIES) {
      const res = await mf.mf.dispatchFetch('http://worker/', {
        method: 'POST',
        body: JSON.stringify({ query, start, end, step }),
      });
      const got = (await res.json()) as unknown;
      let want: unknown;
      try {
        const r = step
          ? await node.rangeQuery(query, start, end, step)
          : await node.instantQuery(query, start);
        want = toJson(r.value);
      } catch (err) {
        want = { error: (err as Error).message };
      }
      expect(got, query).toEqual(JSON.parse(JSON.stringify(want)));
      if (Array.isArray(got) && got.length > 0) withData++;
    }
    expect(withData).toBe(QUERIES.length - 1); // all but the duplicate-labelset error
  });
});
