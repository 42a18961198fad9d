/**
 * Grafana's calls beside queries, through the Worker and the agent, against a real Prometheus
 * 2.42 (#17): `/api/v1/metadata` (Grafana's metric types and help), `/api/v1/targets`,
 * `/api/v1/targets/metadata`, `/api/v1/query_exemplars` and `/api/v1/labels` with `match[]`
 * answer what that Prometheus answers for the same data (with its external labels where Thanos
 * adds them); a tenant sees only its own targets and metadata. Prometheus stores exemplars
 * (`--enable-feature=exemplar-storage`) scraped from an OpenMetrics target, so the exemplars
 * compared are there.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarAgent } from '../../../sidecar-agent/sidecar/agent.ts';
import {
  EXEMPLAR_METRIC,
  startExemplarTarget,
  type ExemplarTarget,
} from '../../helpers/exemplar-target.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'prometheus-apis-token';
const EXT = { cluster: 'apis', tenant_id: 'ops' };
/**
 * Exemplar queries end this long ago: Prometheus takes a new exemplar every scrape (1 s), and the
 * two answers compared must read the same ones.
 */
const EXEMPLARS_SETTLED_MS = 3000;
/** How long Prometheus 2.42 answers /api/v1/status/tsdb from its cache (tsdb/head.go). */
const PROMETHEUS_HEAD_STATS_CACHE_MS = 30_000;

describe("Grafana's metadata, targets and exemplars calls through the agent", () => {
  let tmp: TmpDir;
  let exemplarTarget: ExemplarTarget;
  let prom: LivePrometheus;
  let agent: SidecarAgent;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir('prom-apis-');
    const rules = join(tmp.path, 'rules.yml');
    await writeFile(
      rules,
      [
        'groups:',
        '  - name: apis',
        '    interval: 1s',
        '    rules:',
        '      - record: job:up:sum',
        '        expr: sum by (job) (up)',
        '      - alert: AlwaysOn',
        '        expr: vector(1)',
        '        labels: { severity: page }',
        '',
      ].join('\n'),
    );
    exemplarTarget = await startExemplarTarget();
    prom = await startLivePrometheus({
      dir: tmp.path,
      externalLabels: EXT,
      scrapeInterval: '1s',
      ruleFiles: [rules],
      extraArgs: ['--enable-feature=exemplar-storage'],
      extraTargets: { demo: [exemplarTarget.address] },
    });
    agent = await SidecarAgent.start({
      prometheusUrl: prom.url,
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      startupTimeoutMs: 30_000,
    });
    worker = await startWorker({
      r2: false,
      vars: {
        STORE_TOKEN: TOKEN,
        STORES_TOKEN: TOKEN,
        STORES: agent.url,
        S3_ENDPOINT: '',
        S3_BUCKET: '',
      },
    });
    // A few scrapes, so metadata, targets and exemplars are populated.
    for (let i = 0; i < 100; i++) {
      const r = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: Array<{ health: string }> };
      };
      const up = (await (await fetch(`${prom.url}/api/v1/query?query=up`)).json()) as {
        data: { result: unknown[] };
      };
      // Three exemplars a few seconds old: the exemplars test reads up to EXEMPLARS_SETTLED_MS
      // ago, all of them and then only the last.
      const end = (Date.now() - EXEMPLARS_SETTLED_MS) / 1000;
      const ex = (await (
        await fetch(
          `${prom.url}/api/v1/query_exemplars?query=${EXEMPLAR_METRIC}&start=${end - 600}&end=${end}`,
        )
      ).json()) as { data: Array<{ exemplars: unknown[] }> };
      if (
        r.data.activeTargets.length > 1 &&
        r.data.activeTargets.every((t) => t.health === 'up') &&
        up.data.result.length > 0 &&
        (ex.data[0]?.exemplars.length ?? 0) >= 3
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await agent?.stop();
    await prom?.stop();
    await exemplarTarget?.stop();
    await tmp?.remove();
  });

  const ours = async (path: string, headers: Record<string, string> = {}) => {
    const r = await worker.fetch(path, { headers });
    expect(r.status, path).toBe(200);
    return (await r.json()) as { status: string; data: unknown; warnings?: string[] };
  };
  const theirs = async (path: string) =>
    ((await (await fetch(`${prom.url}${path}`)).json()) as { data: unknown }).data;

  it('answers metadata as Prometheus does', async () => {
    for (const path of [
      '/api/v1/metadata',
      '/api/v1/metadata?metric=prometheus_http_requests_total',
      '/api/v1/metadata?limit=5',
    ]) {
      const mine = await ours(path);
      const want = (await theirs(path)) as Record<string, unknown>;
      expect(Object.keys(want).length).toBeGreaterThan(0);
      if (path.includes('limit')) {
        expect(Object.keys(mine.data as object)).toHaveLength(5);
        continue;
      }
      expect(mine.data).toEqual(want);
    }
  });

  it('answers targets and target metadata as Prometheus does', async () => {
    const strip = (d: unknown) =>
      JSON.parse(
        JSON.stringify(d, (k, v: unknown) =>
          // Scrape timings move between the two calls.
          ['lastScrape', 'lastScrapeDuration', 'health', 'lastError'].includes(k) ? undefined : v,
        ),
      ) as unknown;
    const mine = await ours('/api/v1/targets');
    expect(strip(mine.data)).toEqual(strip(await theirs('/api/v1/targets')));
    expect((mine.data as { activeTargets: unknown[] }).activeTargets.length).toBeGreaterThan(0);
    const tm = '/api/v1/targets/metadata?match_target=' + encodeURIComponent('{job="prometheus"}');
    const mineTm = await ours(tm);
    const sorted = (d: unknown) => (d as unknown[]).map((x) => JSON.stringify(x)).sort();
    expect(sorted(mineTm.data)).toEqual(sorted(await theirs(tm)));
    expect((mineTm.data as unknown[]).length).toBeGreaterThan(0);
  });

  it('answers exemplars and labels with match[] as Prometheus does, with the external labels', async () => {
    type Exemplars = Array<{
      seriesLabels: Record<string, string>;
      exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
    }>;
    // Fixed bounds ending a few scrapes ago: both answers read the same exemplars.
    const end = (Date.now() - EXEMPLARS_SETTLED_MS) / 1000;
    const ex = `/api/v1/query_exemplars?query=${encodeURIComponent(EXEMPLAR_METRIC)}&start=${end - 600}&end=${end}`;
    const want = (await theirs(ex)) as Exemplars;
    expect(want).toHaveLength(1);
    expect(want[0]!.seriesLabels).toMatchObject({ __name__: EXEMPLAR_METRIC, job: 'demo' });
    expect(want[0]!.exemplars.length).toBeGreaterThanOrEqual(3);
    expect(want[0]!.exemplars[0]!.labels.trace_id).toMatch(/^trace-\d+$/);
    const mine = await ours(ex);
    expect(mine.data).toEqual(
      want.map((s) => ({ ...s, seriesLabels: { ...s.seriesLabels, ...EXT } })),
    );
    // A narrower range: only the last exemplar, on both sides.
    const last = want[0]!.exemplars.at(-1)!;
    const narrow = `/api/v1/query_exemplars?query=${encodeURIComponent(EXEMPLAR_METRIC)}&start=${last.timestamp}&end=${end}`;
    const wantNarrow = (await theirs(narrow)) as Exemplars;
    expect(wantNarrow.flatMap((s) => s.exemplars)).toEqual([last]);
    expect((await ours(narrow)).data).toEqual(
      wantNarrow.map((s) => ({ ...s, seriesLabels: { ...s.seriesLabels, ...EXT } })),
    );
    const now = Math.floor(Date.now() / 1000) + 60;
    const labels = `/api/v1/labels?match[]=${encodeURIComponent('up')}&start=${now - 600}&end=${now}`;
    const wantLabels = (await theirs(labels)) as string[];
    expect(wantLabels.length).toBeGreaterThan(1);
    expect((await ours(labels)).data).toEqual(
      [...new Set([...wantLabels, ...Object.keys(EXT)])].sort(),
    );
  });

  it('federates the latest samples as Prometheus does', async () => {
    const match = encodeURIComponent(
      '{__name__=~"up|prometheus_build_info|prometheus_tsdb_head_series"}',
    );
    const parse = (text: string) => {
      const out = new Map<string, { v: number; t: number }>();
      const types: string[] = [];
      for (const line of text.trim().split('\n')) {
        if (line.startsWith('# TYPE ')) types.push(line);
        else if (!line.startsWith('#')) {
          const m = /^(\w+)\{(.*)\} (\S+) (\d+)$/.exec(line)!;
          // Prometheus appends its external labels last; label order carries no meaning.
          const labels = m[2]!
            .match(/\w+="(?:[^"\\]|\\.)*"/g)!
            .sort()
            .join(',');
          out.set(`${m[1]}{${labels}}`, { v: Number(m[3]), t: Number(m[4]) });
        }
      }
      return { out, types };
    };
    const r = await worker.fetch(`/federate?match[]=${match}`);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const mine = parse(await r.text());
    const want = parse(await (await fetch(`${prom.url}/federate?match[]=${match}`)).text());
    expect(mine.types).toEqual(want.types);
    expect([...mine.out.keys()].sort()).toEqual([...want.out.keys()].sort());
    expect(mine.out.size).toBeGreaterThan(2);
    for (const [series, w] of want.out) {
      const m = mine.out.get(series)!;
      // Scrapes every second go on between the two calls: same sample, or one a scrape apart.
      expect(Math.abs(m.t - w.t), series).toBeLessThanOrEqual(3000);
      if (m.t === w.t) expect(m.v, series).toBe(w.v);
    }
    const none = await worker.fetch('/federate');
    expect(none.status).toBe(400);
  });

  it("answers rules and alerts from the sidecar's Prometheus, alerts with its external labels", async () => {
    const timing = (d: unknown) =>
      JSON.parse(
        JSON.stringify(d, (k, v: unknown) =>
          ['lastEvaluation', 'evaluationTime', 'activeAt', 'value'].includes(k) ? undefined : v,
        ),
      ) as unknown;
    for (let i = 0; i < 50; i++) {
      const a = (await theirs('/api/v1/alerts')) as { alerts: unknown[] };
      if (a.alerts.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const want = (await theirs('/api/v1/rules')) as {
      groups: Array<{ rules: Array<{ alerts?: Array<{ labels: Record<string, string> }> }> }>;
    };
    const withExt = {
      groups: want.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) =>
          r.alerts
            ? { ...r, alerts: r.alerts.map((a) => ({ ...a, labels: { ...a.labels, ...EXT } })) }
            : r,
        ),
      })),
    };
    expect(timing((await ours('/api/v1/rules')).data)).toEqual(timing(withExt));
    expect(want.groups[0]!.rules).toHaveLength(2);
    const recordOnly = (await ours('/api/v1/rules?type=record')).data as {
      groups: Array<{ rules: Array<{ type: string }> }>;
    };
    expect(recordOnly.groups.flatMap((g) => g.rules.map((r) => r.type))).toEqual(['recording']);
    const alerts = (await ours('/api/v1/alerts')).data as {
      alerts: Array<{ labels: Record<string, string> }>;
    };
    expect(alerts.alerts.map((a) => a.labels)).toEqual([
      { alertname: 'AlwaysOn', severity: 'page', ...EXT },
    ]);
    const other = (await ours('/api/v1/alerts', { 'THANOS-TENANT': 'someone-else' })).data;
    expect(other).toEqual({ alerts: [] });
  });

  it('answers /api/v1/status/tsdb with the head series counted as Prometheus counts them', async () => {
    type Tsdb = {
      headStats: { numSeries: number };
      seriesCountByMetricName: Array<{ name: string; value: number }>;
      labelValueCountByLabelName: Array<{ name: string; value: number }>;
    };
    // Prometheus's head gains series while it scrapes (a handler's first request adds its own
    // series, as the tests above did): let two scrapes take them in, then compare a pair read
    // while nothing changed. Prometheus keeps its head statistics for 30 s
    // (tsdb/head.go cardinalityCacheExpirationTime), so a second try waits that out: a sooner one
    // would compare ours with the answer it already had.
    await new Promise((r) => setTimeout(r, 2500));
    let mine: Tsdb;
    let want: Tsdb;
    for (let attempt = 0; ; attempt++) {
      mine = (await ours('/api/v1/status/tsdb')).data as Tsdb;
      want = (await theirs('/api/v1/status/tsdb')) as Tsdb;
      const same =
        JSON.stringify(mine.seriesCountByMetricName.map((x) => x.value)) ===
        JSON.stringify(want.seriesCountByMetricName.map((x) => x.value));
      if (same || attempt === 2) break;
      await new Promise((r) => setTimeout(r, PROMETHEUS_HEAD_STATS_CACHE_MS + 1000));
    }
    // Counts equal in order; names equal as sets within ties (Prometheus orders ties as its heap
    // leaves them), except at the cut, where either side may keep a different one.
    expect(mine.seriesCountByMetricName.map((x) => x.value)).toEqual(
      want.seriesCountByMetricName.map((x) => x.value),
    );
    const cut = want.seriesCountByMetricName.at(-1)!.value;
    const above = (l: Tsdb['seriesCountByMetricName']) =>
      l
        .filter((x) => x.value > cut)
        .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
    expect(above(mine.seriesCountByMetricName)).toEqual(above(want.seriesCountByMetricName));
    expect(Math.abs(mine.headStats.numSeries - want.headStats.numSeries)).toBeLessThanOrEqual(5);
    expect(mine.headStats.numSeries).toBeGreaterThan(100);
  });

  it('shows a tenant only its own targets and metadata', async () => {
    const own = await ours('/api/v1/targets', { 'THANOS-TENANT': 'ops' });
    expect((own.data as { activeTargets: unknown[] }).activeTargets.length).toBeGreaterThan(0);
    const other = await ours('/api/v1/targets', { 'THANOS-TENANT': 'someone-else' });
    expect(other.data).toEqual({ activeTargets: [], droppedTargets: [] });
    expect((await ours('/api/v1/metadata', { 'THANOS-TENANT': 'someone-else' })).data).toEqual({});
    expect(
      Object.keys((await ours('/api/v1/metadata', { 'THANOS-TENANT': 'ops' })).data as object)
        .length,
    ).toBeGreaterThan(0);
  });
});
