/**
 * Tenant isolation (#18): two tenants in one bucket (blocks whose external labels name the tenant,
 * and a block whose series carry the tenant label themselves) and behind one agent (a real
 * Prometheus 2.42 whose series carry the tenant label). For generated queries — selectors,
 * aggregations, label_replace tricks, regex matchers on the tenant label, subqueries — and the
 * metadata APIs, each tenant's answers through the shared Worker equal the answers of a Worker
 * over that tenant's data alone. The other tenant's data is invisible, not an error.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { SidecarAgent } from '../../../sidecar-agent/sidecar/agent.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { Random } from '../../helpers/random.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const T0 = 1_700_000_000_000;
const STEP = 15_000;
const POINTS = 480; // 2h
const TENANTS = ['a', 'b'] as const;
type Tenant = (typeof TENANTS)[number];
const TOKEN = 'tenancy-store-token';
const ADMIN = 'tenancy-admin-token-0123456789';
const TENANT_TOKENS = { a: 'tenant-a-token-0123456789', b: 'tenant-b-token-0123456789' };

interface SeriesData {
  labels: ReturnType<typeof labelsFrom>;
  timestamps: Float64Array;
  values: Float64Array;
}

const timestamps = Float64Array.from({ length: POINTS }, (_, i) => T0 + i * STEP);

/** A counter with resets, or a gauge, from the generator. */
function series(
  rnd: Random,
  labels: Record<string, string>,
  kind: 'counter' | 'gauge',
): SeriesData {
  const values = new Float64Array(POINTS);
  let v = rnd.int(100);
  for (let i = 0; i < POINTS; i++) {
    if (kind === 'gauge') v = Math.round(rnd.next() * 1000) / 10;
    else v = rnd.chance(0.01) ? rnd.int(5) : v + rnd.int(10);
    values[i] = v;
  }
  return { labels: labelsFrom(labels), timestamps, values };
}

/**
 * Each tenant's data, by where it is kept: `own` in a block whose external labels name the
 * tenant (no tenant label on the series), `shared` in a block of both tenants with the label on
 * each series, `agent` in the agent's Prometheus, also labelled per series.
 */
function tenantData(tenant: Tenant): {
  own: SeriesData[];
  shared: SeriesData[];
  agent: SeriesData[];
} {
  const rnd = new Random(tenant === 'a' ? 11 : 23);
  const jobs = tenant === 'a' ? ['api', 'web'] : ['api', 'db'];
  const own: SeriesData[] = [];
  const shared: SeriesData[] = [];
  const agent: SeriesData[] = [];
  for (const job of jobs) {
    for (const instance of ['i1', 'i2']) {
      for (const code of ['200', '500']) {
        own.push(series(rnd, { __name__: 'http_requests_total', job, instance, code }, 'counter'));
      }
      own.push(series(rnd, { __name__: 'node_temp', job, instance }, 'gauge'));
      shared.push(
        series(rnd, { __name__: 'queue_depth', job, instance, tenant_id: tenant }, 'gauge'),
      );
      agent.push(
        series(
          rnd,
          {
            __name__: 'http_requests_total',
            job,
            instance: `agent-${instance}`,
            code: '200',
            tenant_id: tenant,
          },
          'counter',
        ),
      );
      agent.push(series(rnd, { __name__: 'up', job, instance, tenant_id: tenant }, 'gauge'));
    }
  }
  return { own, shared, agent };
}

const DATA = { a: tenantData('a'), b: tenantData('b') };

/** 50 queries from templates, with the picks drawn from a seeded generator. */
function generatedQueries(n: number): string[] {
  const rnd = new Random(4242);
  const pick = <T>(xs: readonly T[]): T => xs[rnd.int(xs.length)]!;
  const metrics = ['http_requests_total', 'node_temp', 'queue_depth', 'up'];
  const jobs = ['api', 'web', 'db'];
  const tenantMatchers = [
    'tenant_id="a"',
    'tenant_id="b"',
    'tenant_id=~"a|b"',
    'tenant_id=~".+"',
    'tenant_id!="a"',
    'tenant_id!~"b"',
    'tenant_id=""',
  ];
  const templates: Array<() => string> = [
    () => `${pick(metrics)}`,
    () => `{__name__=~".+"}`,
    () => `${pick(metrics)}{${pick(tenantMatchers)}}`,
    () => `{__name__=~"${pick(metrics)}|up", ${pick(tenantMatchers)}}`,
    () => `sum by (tenant_id, job) (rate(http_requests_total{job="${pick(jobs)}"}[5m]))`,
    () => `count by (tenant_id) ({__name__=~".+"})`,
    () => `count({__name__=~".+"})`,
    () => `sum(rate(http_requests_total[${pick(['1m', '5m', '10m'])}]))`,
    () => `label_replace(${pick(metrics)}, "tenant_id", "${pick(['a', 'b'])}", "", "")`,
    () => `label_replace({__name__=~".+"}, "t", "$1", "tenant_id", "(.*)")`,
    () => `max_over_time(rate(http_requests_total{${pick(tenantMatchers)}}[5m])[30m:1m])`,
    () => `absent(${pick(metrics)}{tenant_id="${pick(['a', 'b'])}"})`,
    () => `topk(3, ${pick(['node_temp', 'queue_depth'])})`,
    () => `${pick(metrics)} offset 10m`,
    () => `avg_over_time(${pick(['node_temp', 'queue_depth', 'up'])}[10m])`,
    () => `http_requests_total / on (job, instance) group_left node_temp`,
    () => `count_values("v", up)`,
    () => `group by (job) ({job="${pick(jobs)}"})`,
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(templates[i % templates.length]!());
  return out;
}

interface ApiBody {
  status: string;
  data: unknown;
  warnings?: string[];
  errorType?: string;
  error?: string;
}

/** An answer with results in label order, so the stores' order cannot make two answers differ. */
function canonical(body: ApiBody): unknown {
  const data = body.data as { resultType?: string; result?: Array<{ metric: object }> } | unknown[];
  if (Array.isArray(data)) return { ...body, data: [...data].map((x) => JSON.stringify(x)).sort() };
  if (data && typeof data === 'object' && Array.isArray((data as { result?: unknown }).result)) {
    const d = data as { resultType: string; result: Array<{ metric: object }> };
    return {
      ...body,
      data: {
        resultType: d.resultType,
        result: d.result.map((r) => JSON.stringify(r)).sort(),
      },
    };
  }
  return body;
}

describe('tenant isolation: two tenants in one bucket and behind one agent', () => {
  let tmp: TmpDir;
  let prom: PrometheusHandle;
  let agent: SidecarAgent;
  let shared: WorkerHandle;
  const alone = new Map<Tenant, WorkerHandle>();

  async function block(
    worker: WorkerHandle,
    dir: string,
    data: SeriesData[],
    ext: Record<string, string>,
  ): Promise<void> {
    await mkdir(dir, { recursive: true });
    const meta = await writeBlock(dirSinkFactory(dir), data);
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    await uploadBlock(bucket, join(dir, meta!.ulid), { labels: ext, source: 'sidecar' });
  }

  beforeAll(async () => {
    tmp = await makeTmpDir('tenancy-');
    // The agent: one Prometheus holding both tenants' agent series.
    const tsdb = join(tmp.path, 'prometheus');
    await mkdir(tsdb, { recursive: true });
    await writeBlock(dirSinkFactory(tsdb), [...DATA.a.agent, ...DATA.b.agent]);
    prom = await startPrometheusOnTsdb(tsdb, tmp.path);
    await prom.reload('global:\n  external_labels:\n    cluster: agent\n');
    agent = await SidecarAgent.start({
      prometheusUrl: prom.url,
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      startupTimeoutMs: 30_000,
    });

    shared = await startWorker({
      vars: {
        STORE_TOKEN: TOKEN,
        STORES: agent.url.replace(/\/$/, ''),
        STORES_TOKEN: TOKEN,
        QUERY_FRONTEND: 'true',
        AUTH_TOKENS: [ADMIN, ...TENANTS.map((t) => `${t}:${TENANT_TOKENS[t]}`)].join(','),
      },
    });
    for (const t of TENANTS) {
      await block(shared, join(tmp.path, `shared-own-${t}`), DATA[t].own, {
        tenant_id: t,
        cluster: 'east',
      });
    }
    await block(shared, join(tmp.path, 'shared-mixed'), [...DATA.a.shared, ...DATA.b.shared], {
      cluster: 'shared',
    });

    // Each tenant alone: the same series, every one of them in the Worker's own bucket.
    for (const t of TENANTS) {
      const w = await startWorker({ vars: { STORE_TOKEN: TOKEN, QUERY_FRONTEND: 'true' } });
      alone.set(t, w);
      await block(w, join(tmp.path, `alone-own-${t}`), DATA[t].own, {
        tenant_id: t,
        cluster: 'east',
      });
      await block(w, join(tmp.path, `alone-shared-${t}`), DATA[t].shared, { cluster: 'shared' });
      await block(w, join(tmp.path, `alone-agent-${t}`), DATA[t].agent, { cluster: 'agent' });
    }
  }, 180_000);

  afterAll(async () => {
    for (const w of alone.values()) await w.stop();
    await shared?.stop();
    await agent?.stop();
    await prom?.stop();
    await tmp?.remove();
  });

  const get = async (
    w: WorkerHandle,
    path: string,
    params: Record<string, string> | URLSearchParams,
    tenant?: Tenant,
  ): Promise<ApiBody> => {
    // The shared Worker asks for credentials: the admin token, which may name any tenant.
    const auth: Record<string, string> = w === shared ? { authorization: `Bearer ${ADMIN}` } : {};
    const res = await w.fetch(`${path}?${new URLSearchParams(params)}`, {
      headers: tenant ? { ...auth, 'THANOS-TENANT': tenant } : auth,
    });
    const body = (await res.json()) as ApiBody;
    expect(
      res.status,
      `${path} ${String(new URLSearchParams(params))}: ${JSON.stringify(body)}`,
    ).toBe(200);
    return body;
  };

  const END = (T0 + (POINTS - 1) * STEP) / 1000;
  const range = { start: String(T0 / 1000 + 1800), end: String(END), step: '300' };

  it('answers 50 generated queries for each tenant as a Worker over its own data alone', async () => {
    const queries = generatedQueries(50);
    let nonEmpty = 0;
    for (const query of queries) {
      for (const t of TENANTS) {
        const ref = alone.get(t)!;
        const instant = { query, time: String(END - 600) };
        const mine = await get(shared, '/api/v1/query', instant, t);
        const theirs = await get(ref, '/api/v1/query', instant);
        expect(canonical(mine), `instant ${query} as ${t}`).toEqual(canonical(theirs));
        const rangeParams = { query, ...range };
        const mineR = await get(shared, '/api/v1/query_range', rangeParams, t);
        const theirsR = await get(ref, '/api/v1/query_range', rangeParams);
        expect(canonical(mineR), `range ${query} as ${t}`).toEqual(canonical(theirsR));
        if (((mineR.data as { result: unknown[] }).result ?? []).length > 0) nonEmpty++;
      }
    }
    // The comparison means something only if most answers hold data.
    expect(nonEmpty).toBeGreaterThan(60);
  }, 300_000);

  it('sees both tenants without a tenant header (the admin view), and only its own with one', async () => {
    const q = { query: 'count by (tenant_id) ({__name__=~".+"})', time: String(END) };
    const all = (await get(shared, '/api/v1/query', q)) as {
      data: { result: Array<{ metric: Record<string, string> }> };
    } & ApiBody;
    expect(all.data.result.map((r) => r.metric.tenant_id).sort()).toEqual(['a', 'b']);
    const onlyA = (await get(shared, '/api/v1/query', q, 'a')) as typeof all;
    expect(onlyA.data.result.map((r) => r.metric.tenant_id)).toEqual(['a']);
  });

  it('binds a tenant token to its tenant, whatever tenant header it sends', async () => {
    const q = new URLSearchParams({
      query: 'count by (tenant_id) ({__name__=~".+"})',
      time: String(END),
    });
    for (const t of TENANTS) {
      for (const header of [{}, { 'THANOS-TENANT': 'a' }, { 'THANOS-TENANT': 'b' }] as Array<
        Record<string, string>
      >) {
        const r = await shared.fetch(`/api/v1/query?${q}`, {
          headers: { authorization: `Bearer ${TENANT_TOKENS[t]}`, ...header },
        });
        const body = (await r.json()) as {
          data: { result: Array<{ metric: Record<string, string> }> };
        };
        expect(body.data.result.map((x) => x.metric.tenant_id)).toEqual([t]);
      }
      // Through the frontend's cache too: a range answer cached for one tenant is not the other's.
      const range = new URLSearchParams({
        query: 'count(queue_depth)',
        start: String(T0 / 1000),
        end: String(END),
        step: '600',
      });
      const r = await shared.fetch(`/api/v1/query_range?${range}`, {
        headers: { authorization: `Bearer ${TENANT_TOKENS[t]}` },
      });
      const mine = await r.json();
      const ref = await (await alone.get(t)!.fetch(`/api/v1/query_range?${range}`)).json();
      expect(mine).toEqual(ref);
    }
  });

  it('scopes series, label names and label values', async () => {
    const window = { start: String(T0 / 1000), end: String(END) };
    for (const t of TENANTS) {
      const ref = alone.get(t)!;
      for (const [path, params] of [
        ['/api/v1/series', new URLSearchParams({ 'match[]': '{__name__=~".+"}', ...window })],
        ['/api/v1/series', new URLSearchParams({ 'match[]': '{tenant_id=~".+"}', ...window })],
        ['/api/v1/labels', new URLSearchParams(window)],
        ['/api/v1/label/tenant_id/values', new URLSearchParams(window)],
        ['/api/v1/label/job/values', new URLSearchParams(window)],
        ['/api/v1/label/instance/values', new URLSearchParams({ 'match[]': 'up', ...window })],
      ] as const) {
        const mine = await get(shared, path, params, t);
        const theirs = await get(ref, path, params);
        expect(canonical(mine), `${path} as ${t}`).toEqual(canonical(theirs));
      }
      const values = await get(shared, '/api/v1/label/tenant_id/values', window, t);
      expect(values.data).toEqual([t]);
      // Tenant b has no `web` job: it must not learn that tenant a has one.
      const jobs = (await get(shared, '/api/v1/label/job/values', window, t)).data as string[];
      expect(jobs.includes('web')).toBe(t === 'a');
      expect(jobs.includes('db')).toBe(t === 'b');
    }
  });

  it('keeps the StoreAPI, /api/v1/stores and /api/v1/blocks to the tenant', async () => {
    // Our StoreAPI, as another querier reads it, with the tenant header on every call.
    for (const t of TENANTS) {
      const store = new HttpStore(shared.url.toString().replace(/\/$/, ''), {
        token: TOKEN,
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('THANOS-TENANT', t);
          return fetch(input, { ...init, headers });
        },
      });
      const seen = new Set<string>();
      for await (const f of store.series({
        minTime: T0,
        maxTime: T0 + POINTS * STEP,
        matchers: [newMatcher('=~', '__name__', '.+')],
        maxResolutionWindow: 0,
        aggregates: ['raw'],
        partialResponseStrategy: 'abort',
        skipChunks: true,
      })) {
        if (f.type === 'series')
          seen.add(f.labels.find((l) => l.name === 'tenant_id')?.value ?? '');
      }
      expect([...seen]).toEqual([t]);
      const info = await store.info();
      expect(
        info.labelSets.every((ls) => ls.every((l) => l.name !== 'tenant_id' || l.value === t)),
      ).toBe(true);
      const names = await store.labelValues('job', {
        start: T0,
        end: T0 + POINTS * STEP,
        matchers: [],
        partialResponseStrategy: 'abort',
      });
      expect(names.values.includes('web')).toBe(t === 'a');
    }

    const stores = (await get(shared, '/api/v1/stores', {}, 'a')).data as Record<
      string,
      Array<{ labelSets: Array<Record<string, string>> }>
    >;
    const sets = Object.values(stores).flatMap((g) => g.flatMap((s) => s.labelSets));
    expect(sets.some((ls) => ls.tenant_id === 'a')).toBe(true);
    expect(sets.some((ls) => ls.tenant_id === 'b')).toBe(false);
    const blocks = (await get(shared, '/api/v1/blocks', {}, 'b')).data as {
      blocks: Array<{ thanos: { labels: Record<string, string> } }>;
    };
    const tenantsSeen = blocks.blocks.map((b) => b.thanos.labels.tenant_id ?? '-').sort();
    expect(tenantsSeen).toEqual(['-', 'b']);
  });
});
