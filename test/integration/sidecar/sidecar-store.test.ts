/**
 * The sidecar agent's StoreAPI against a real Prometheus 2.42: series through the agent equal
 * Prometheus's own answer (chunks decoded here), external labels added and the order right even
 * where adding them reorders series; labels API; token and malformed-request errors; Prometheus
 * down → /-/ready 503 and a StoreAPI error, and recovery when it is back.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareLabels, labelsFrom, type Labels } from '../../../core/labels/labels.ts';
import { newMatcher, type Matcher } from '../../../core/labels/matcher.ts';
import { tsBatchDecoder } from '../../../core/query/decoder.ts';
import { readSeries } from '../../../core/query/series-reader.ts';
import { allSeries } from '../../../core/promql/storage/queryable.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import type { SeriesFrame } from '../../../core/storeapi/store.ts';
import { SidecarAgent } from '../../../sidecar-agent/sidecar/agent.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { seriesRequest } from '../../helpers/series-request.ts';

const TOKEN = 'sidecar-test-token';
const EXT = { cluster: 'test', zone: 'eu' };

let tmp: TmpDir;
let prom: LivePrometheus;
let agent: SidecarAgent;
let target: Server;
let store: HttpStore;

const req = seriesRequest;

async function collect(it: AsyncIterable<SeriesFrame>): Promise<SeriesFrame[]> {
  const out: SeriesFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** Prometheus's own answer: a range selector evaluated at `maxt` covers [maxt - range, maxt]. */
async function promRange(
  selector: string,
  mint: number,
  maxt: number,
): Promise<{ labels: Labels; t: number[]; v: number[] }[]> {
  const q = new URLSearchParams({
    query: `${selector}[${maxt - mint}ms]`,
    time: (maxt / 1000).toFixed(3),
  });
  const body = (await (await fetch(`${prom.url}/api/v1/query?${q}`)).json()) as {
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  return body.data.result
    .map((r) => ({
      labels: labelsFrom({ ...r.metric, ...EXT }),
      t: r.values.map(([t]) => Math.round(t * 1000)),
      v: r.values.map(([, v]) => Number(v)),
    }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}

beforeAll(async () => {
  tmp = await makeTmpDir('sidecar-store-');
  // A target whose series reorder once the external label `zone` is added:
  // {instance,job} < {instance,job,x} but {instance,job,x,zone} < {instance,job,zone}.
  target = createServer((_, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end('sort_test 1\nsort_test{x="1"} 2\nsort_test{x="2"} 3\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const tport = (target.address() as AddressInfo).port;
  prom = await startLivePrometheus({
    dir: tmp.path,
    externalLabels: EXT,
    blockDuration: '10s',
    extraTargets: { sorttarget: [`127.0.0.1:${tport}`] },
  });
  agent = await SidecarAgent.start({
    prometheusUrl: prom.url,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
  });
  store = new HttpStore(agent.url, { token: TOKEN });
  // Let a few scrapes (and a block or two) happen.
  await prom.waitForBlocks(1);
  await new Promise((r) => setTimeout(r, 3000));
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await prom?.stop();
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  await tmp?.remove();
});

describe('sidecar StoreAPI over a real Prometheus', () => {
  it('info: external labels, the lowest timestamp, open max', async () => {
    const info = await store.info();
    expect(info.storeType).toBe('sidecar');
    expect(info.labelSets).toEqual([labelsFrom(EXT)]);
    expect(info.minTime).toBeGreaterThan(Date.now() - 5 * 60_000);
    expect(info.minTime).toBeLessThan(Date.now());
    expect(info.maxTime).toBeGreaterThan(Date.now() * 1000);
  });

  it('series equal Prometheus’s own answer (decoded chunks), sorted, external labels present', async () => {
    const maxt = Date.now() - 3000;
    const mint = maxt - 20_000; // spans blocks and the head
    for (const selector of [
      '{__name__=~"prometheus_http_requests_total|up|sort_test|go_goroutines"}',
      '{job="prometheus",__name__=~"prometheus_tsdb_head_.*"}',
      '{__name__="sort_test"}',
    ]) {
      const matchers = parseSelector(selector);
      const frames = await collect(store.series(req(matchers, mint, maxt)));
      const labels = frames.flatMap((f) => (f.type === 'series' ? [f.labels] : []));
      for (let i = 1; i < labels.length; i++)
        expect(compareLabels(labels[i - 1]!, labels[i]!)).toBeLessThan(0);
      for (const l of labels)
        expect(l.filter((x) => x.name === 'cluster' || x.name === 'zone')).toEqual(labelsFrom(EXT));
      const got = await allSeries(
        readSeries(fromArray(frames), { mint, maxt, decoder: tsBatchDecoder }),
      );
      const want = await promRange(selector, mint, maxt);
      expect(want.length).toBeGreaterThan(0);
      expect(got.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v] }))).toEqual(want);
    }
  });

  it('orders series that adding external labels reorders', async () => {
    const now = Date.now();
    const frames = await collect(
      store.series(req([newMatcher('=', '__name__', 'sort_test')], now - 10_000, now)),
    );
    const xs = frames.map((f) =>
      f.type === 'series' ? (f.labels.find((l) => l.name === 'x')?.value ?? '') : '?',
    );
    expect(xs).toEqual(['1', '2', '']);
  });

  it('external-label matchers: decided by the agent, not sent to Prometheus', async () => {
    const now = Date.now();
    const up = newMatcher('=', '__name__', 'up');
    expect(
      (await collect(store.series(req([up, newMatcher('=', 'zone', 'eu')], now - 10_000, now))))
        .length,
    ).toBe(2);
    expect(
      await collect(store.series(req([up, newMatcher('=', 'zone', 'us')], now - 10_000, now))),
    ).toEqual([]);
    await expect(
      collect(store.series(req([newMatcher('=', 'zone', 'eu')], now - 10_000, now))),
    ).rejects.toThrow(/no matchers/);
  });

  it('skipChunks and limit', async () => {
    const now = Date.now();
    const m = [newMatcher('=~', '__name__', 'sort_test|up')];
    const frames = await collect(store.series(req(m, now - 10_000, now, { skipChunks: true })));
    expect(frames.length).toBe(5);
    for (const f of frames) expect(f.type === 'series' && f.chunks.length).toBe(0);
    expect((await collect(store.series(req(m, now - 10_000, now, { limit: 2 })))).length).toBe(2);
  });

  it('label names and values from Prometheus plus the external labels', async () => {
    const now = Date.now();
    const lr = {
      start: now - 60_000,
      end: now,
      matchers: [newMatcher('=', '__name__', 'sort_test')],
      partialResponseStrategy: 'abort' as const,
    };
    expect((await store.labelNames(lr)).values).toEqual([
      '__name__',
      'cluster',
      'instance',
      'job',
      'x',
      'zone',
    ]);
    expect((await store.labelValues('x', lr)).values).toEqual(['1', '2']);
    expect((await store.labelValues('zone', lr)).values).toEqual(['eu']);
    const jobs = await store.labelValues('job', { ...lr, matchers: [] });
    expect(jobs.values).toEqual(['prometheus', 'sorttarget']);
  });

  it('missing or wrong token → 401; malformed request → 400', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: TOKEN },
    ] as Record<string, string>[]) {
      const r = await fetch(`${agent.url}/api/v1/store/info`, { headers });
      expect(r.status).toBe(401);
      await r.body?.cancel();
    }
    const bad = await fetch(`${agent.url}/api/v1/store/series`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]),
    });
    expect(bad.status).toBe(400);
    await bad.body?.cancel();
    // An invalid regex reaches the agent (built without validation here) and is refused there.
    const badRe = { type: '=~', name: '__name__', value: '(' } as unknown as Matcher;
    await expect(collect(store.series(req([badRe], 0, Date.now())))).rejects.toThrow(
      /HTTP 400.*regexp/,
    );
  });

  it('/metrics and /-/healthy', async () => {
    expect((await fetch(`${agent.url}/-/healthy`)).status).toBe(200);
    const text = await (await fetch(`${agent.url}/metrics`)).text();
    expect(text).toMatch(/^thanos_shipper_uploads_total 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('Prometheus down → /-/ready 503 and a StoreAPI error; recovers when it is back', async () => {
    expect((await fetch(`${agent.url}/-/ready`)).status).toBe(200);
    await prom.stop();
    const ready = await fetch(`${agent.url}/-/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/prometheus .* not ready or unreachable/);
    const now = Date.now();
    const started = Date.now();
    await expect(
      collect(store.series(req([newMatcher('=', '__name__', 'up')], now - 10_000, now))),
    ).rejects.toThrow(/HTTP 503.*prometheus/);
    await expect(store.info()).rejects.toThrow(/HTTP 503/);
    await expect(
      store.labelNames({ start: 0, end: now, matchers: [], partialResponseStrategy: 'abort' }),
    ).rejects.toThrow(/HTTP 503/);
    expect(Date.now() - started).toBeLessThan(5000); // an error, not a hang
    await prom.start();
    expect((await fetch(`${agent.url}/-/ready`)).status).toBe(200);
    const frames = await collect(
      store.series(req([newMatcher('=', '__name__', 'up')], now - 10_000, Date.now())),
    );
    expect(frames.length).toBe(2);
  }, 90_000);
});

async function* fromArray<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

/** `{a="b",c=~"d"}` — enough of the selector syntax for these tests. */
function parseSelector(s: string): Matcher[] {
  const out: Matcher[] = [];
  for (const m of s.slice(1, -1).matchAll(/(\w+)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"/g)) {
    out.push(newMatcher(m[2] as Matcher['type'], m[1]!, JSON.parse(`"${m[3]!}"`) as string));
  }
  return out;
}
