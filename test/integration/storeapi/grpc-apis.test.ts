/**
 * The other gRPC services of a Thanos sidecar, served by `thanos-edge sidecar` (run from the bin as
 * users run it) over a real Prometheus 2.42 (#17): thanos.Rules, thanos.Targets, thanos.Metadata
 * and thanos.Exemplars, called by an independent client (@grpc/grpc-js with the test's own copy of
 * Thanos's rulespb/targetspb/metadatapb/exemplarspb). Prometheus has a recording and a firing
 * alerting rule, a target that is up (OpenMetrics with exemplars), one that is down and one dropped
 * by relabelling. Every answer equals what Prometheus's HTTP API says for the same request, with
 * the external labels where Thanos's sidecar adds them; type/state filters, metric/limit and
 * query/start/end are honoured; thanos.info.Info advertises the four; a Prometheus that is down is
 * an Unavailable status naming the store, not a hang.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeGrpcProcess, type EdgeGrpcProcess } from '../../helpers/edge-grpc-process.ts';
import { startExemplarTarget, type ExemplarTarget } from '../../helpers/exemplar-target.ts';
import { GrpcStore, type PbInfoInfo } from '../../helpers/grpc-store-client.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const TOKEN = 'grpc-apis-token';
const EXT = { cluster: 'grpc-apis', replica: 'r1' };
const PROTO = join(import.meta.dirname, 'proto', 'thanos-sidecar-apis.proto');

type LabelMap = Record<string, string>;
interface PbLabelSet {
  labels: { name: string; value: string }[];
}
interface PbTimestamp {
  seconds: number;
  nanos: number;
}
type StreamCall = (req: object) => grpc.ClientReadableStream<unknown>;
interface Stubs {
  rules: grpc.Client & { Rules: StreamCall };
  targets: grpc.Client & { Targets: StreamCall };
  metadata: grpc.Client & { MetricMetadata: StreamCall };
  exemplars: grpc.Client & { Exemplars: StreamCall };
}

let tmp: TmpDir;
let prom: LivePrometheus;
let sidecar: EdgeGrpcProcess;
let exemplarTarget: ExemplarTarget;
let stubs: Stubs;

function loadStubs(address: string): Stubs {
  const def = protoLoader.loadSync(PROTO, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    thanos: Record<'Rules' | 'Targets' | 'Metadata' | 'Exemplars', grpc.ServiceClientConstructor>;
  };
  const creds = grpc.credentials.createInsecure();
  return {
    rules: new pkg.thanos.Rules(address, creds) as unknown as Stubs['rules'],
    targets: new pkg.thanos.Targets(address, creds) as unknown as Stubs['targets'],
    metadata: new pkg.thanos.Metadata(address, creds) as unknown as Stubs['metadata'],
    exemplars: new pkg.thanos.Exemplars(address, creds) as unknown as Stubs['exemplars'],
  };
}

/** Every message of a server stream; rejects with the call's status. */
function collect<T>(call: grpc.ClientReadableStream<unknown>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    call.on('data', (m: T) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

const labelMap = (ls: PbLabelSet | null): LabelMap =>
  Object.fromEntries((ls?.labels ?? []).map((l) => [l.name, l.value]));
const isSorted = (ls: PbLabelSet | null) =>
  (ls?.labels ?? []).every((l, i, a) => i === 0 || a[i - 1]!.name < l.name);
const ms = (t: PbTimestamp | null) => (t ? t.seconds * 1000 + t.nanos / 1e6 : undefined);
const withExt = (m: LabelMap | undefined) => ({ ...m, ...EXT });

async function promApi<T>(path: string): Promise<T> {
  const body = (await (await fetch(`${prom.url}/api/v1/${path}`)).json()) as { data: T };
  return body.data;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  tmp = await makeTmpDir('grpc-apis-');
  exemplarTarget = await startExemplarTarget();
  const demo = exemplarTarget.address;
  const rules = join(tmp.path, 'rules.yml');
  await writeFile(
    rules,
    [
      'groups:',
      '  - name: edge-recording',
      '    interval: 1s',
      '    rules:',
      '      - record: job:up:sum',
      '        expr: sum by (job) (up)',
      '  - name: edge-alerting',
      '    interval: 1s',
      '    rules:',
      '      - alert: AlwaysFiring',
      '        expr: vector(1)',
      '        labels: { severity: page }',
      '        annotations: { summary: "always on" }',
      '      - alert: NeverFiring',
      '        expr: vector(1) == 2',
      '        for: 5m',
      '',
    ].join('\n'),
  );
  prom = await startLivePrometheus({
    dir: tmp.path,
    externalLabels: EXT,
    ruleFiles: [rules],
    extraArgs: ['--enable-feature=exemplar-storage'],
    // The demo target is up, port 1 refuses (down), port 2 is dropped by relabelling.
    scrapeConfigsYaml: [
      '  - job_name: edge',
      `    static_configs: [{ targets: ["${demo}", "127.0.0.1:1", "127.0.0.1:2"] }]`,
      '    relabel_configs:',
      '      - { source_labels: [__address__], regex: "127\\\\.0\\\\.0\\\\.1:2", action: drop }',
    ].join('\n'),
  });
  sidecar = await startEdgeGrpcProcess(
    [
      'sidecar',
      `--prometheus.url=${prom.url}`,
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
    ],
    { STORE_TOKEN: TOKEN },
  );
  stubs = loadStubs(sidecar.grpcAddress);
  await waitFor('sidecar ready', async () => (await fetch(`${sidecar.httpUrl}/-/ready`)).ok);
  await waitFor('targets scraped, the alert firing, exemplars stored', async () => {
    const t = await promApi<{ activeTargets: { health: string }[] }>('targets');
    const a = await promApi<{ alerts: { state: string }[] }>('alerts');
    // Exemplars a few seconds old: the exemplars test reads up to 3 s ago.
    const now = Date.now() / 1000;
    const ex = await promApi<unknown[]>(
      `query_exemplars?query=demo_requests_total&start=${now - 600}&end=${now - 4}`,
    );
    return (
      t.activeTargets.length >= 3 &&
      t.activeTargets.every((x) => x.health !== 'unknown') &&
      a.alerts.some((x) => x.state === 'firing') &&
      ex.length > 0
    );
  });
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(stubs ?? {})) (s as grpc.Client).close();
  await sidecar?.stop();
  await prom?.stop();
  await exemplarTarget?.stop();
  await tmp?.remove();
});

describe('thanos.info.Info', () => {
  it('advertises Rules, Targets, Metadata and Exemplars beside the store', async () => {
    const c = new GrpcStore(sidecar.grpcAddress);
    try {
      const info = await c.unary<PbInfoInfo>('info.Info', {});
      expect(info.ComponentType).toBe('sidecar');
      expect(info.rules).toEqual({});
      expect(info.targets).toEqual({});
      expect(info.metric_metadata).toEqual({});
      expect(info.exemplars).not.toBeNull();
      const ex = info.exemplars as { min_time: number; max_time: number };
      expect(ex.min_time).toBe(info.store!.min_time);
      expect(ex.max_time).toBe(info.store!.max_time);
      expect(ex.max_time).toBeGreaterThan(ex.min_time);
    } finally {
      c.close();
    }
  });
});

interface PromRule {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  labels?: LabelMap;
  annotations?: LabelMap;
  health: string;
  duration?: number;
  state?: string;
  alerts?: {
    labels: LabelMap;
    annotations: LabelMap;
    state: string;
    activeAt: string;
    value: string;
  }[];
}
interface PromGroup {
  name: string;
  file: string;
  interval: number;
  limit: number;
  rules: PromRule[];
}
interface PbAlertInstance {
  labels: PbLabelSet;
  annotations: PbLabelSet;
  state: string;
  active_at: PbTimestamp | null;
  value: string;
}
interface PbRule {
  result: 'recording' | 'alert';
  recording?: { name: string; query: string; labels: PbLabelSet; health: string };
  alert?: {
    state: string;
    name: string;
    query: string;
    duration_seconds: number;
    labels: PbLabelSet;
    annotations: PbLabelSet;
    alerts: PbAlertInstance[];
    health: string;
    last_evaluation: PbTimestamp | null;
  };
}
interface PbRulesResponse {
  result: 'group' | 'warning';
  group?: {
    name: string;
    file: string;
    rules: PbRule[];
    interval: number;
    limit: number;
    last_evaluation: PbTimestamp | null;
    PartialResponseStrategy: string;
  };
}

/** A gRPC rule group in Prometheus's JSON shape (the fields that do not move between calls). */
function groupAsProm(g: NonNullable<PbRulesResponse['group']>) {
  return {
    name: g.name,
    file: g.file,
    interval: g.interval,
    limit: g.limit,
    rules: g.rules.map((r) => {
      if (r.result === 'recording') {
        const x = r.recording!;
        return {
          type: 'recording',
          name: x.name,
          query: x.query,
          labels: labelMap(x.labels),
          health: x.health,
        };
      }
      const x = r.alert!;
      return {
        type: 'alerting',
        name: x.name,
        query: x.query,
        labels: labelMap(x.labels),
        annotations: labelMap(x.annotations),
        health: x.health,
        duration: x.duration_seconds,
        state: x.state.toLowerCase(),
        alerts: x.alerts.map((a) => ({
          labels: labelMap(a.labels),
          annotations: labelMap(a.annotations),
          state: a.state.toLowerCase(),
          activeAt: Math.floor(ms(a.active_at)!),
          value: a.value,
        })),
      };
    }),
  };
}

/** Prometheus's rule group with the external labels where the sidecar's Rules API adds them. */
function promGroupExpected(g: PromGroup) {
  return {
    name: g.name,
    file: g.file,
    interval: g.interval,
    limit: g.limit ?? 0,
    rules: g.rules.map((r) =>
      r.type === 'recording'
        ? {
            type: r.type,
            name: r.name,
            query: r.query,
            labels: withExt(r.labels),
            health: r.health,
          }
        : {
            type: r.type,
            name: r.name,
            query: r.query,
            labels: withExt(r.labels),
            annotations: r.annotations ?? {},
            health: r.health,
            duration: r.duration,
            state: r.state,
            alerts: (r.alerts ?? []).map((a) => ({
              labels: withExt(a.labels),
              annotations: a.annotations,
              state: a.state,
              activeAt: Date.parse(a.activeAt),
              value: a.value,
            })),
          },
    ),
  };
}

describe('thanos.Rules', () => {
  const rulesCall = (type: string) =>
    collect<PbRulesResponse>(stubs.rules.Rules({ type, partial_response_strategy: 'ABORT' }));

  it('streams the rule groups Prometheus has, with the external labels', async () => {
    const got = await rulesCall('ALL');
    const want = (await promApi<{ groups: PromGroup[] }>('rules')).groups;
    expect(want.length).toBe(2);
    expect(got.every((m) => m.result === 'group')).toBe(true);
    expect(got.map((m) => groupAsProm(m.group!))).toEqual(want.map(promGroupExpected));
    for (const m of got) {
      expect(m.group!.PartialResponseStrategy).toBe('ABORT');
      expect(ms(m.group!.last_evaluation)).toBeGreaterThan(Date.now() - 60_000);
      for (const r of m.group!.rules) {
        const labels = (r.recording ?? r.alert)!.labels;
        expect(isSorted(labels)).toBe(true);
      }
    }
    const firing = got
      .flatMap((m) => m.group!.rules)
      .find((r) => r.alert?.name === 'AlwaysFiring')!.alert!;
    expect(firing.state).toBe('FIRING');
    expect(firing.alerts).toHaveLength(1);
    expect(labelMap(firing.alerts[0]!.labels)).toEqual({
      alertname: 'AlwaysFiring',
      severity: 'page',
      ...EXT,
    });
  });

  it('type ALERT and RECORD select the rules as Prometheus type=alert|record', async () => {
    const alert = await rulesCall('ALERT');
    const record = await rulesCall('RECORD');
    const kinds = (ms_: PbRulesResponse[]) =>
      ms_.flatMap((m) => m.group!.rules.map((r) => r.result));
    expect(kinds(alert).sort()).toEqual(['alert', 'alert']);
    expect(kinds(record)).toEqual(['recording']);
    expect(alert.map((m) => groupAsProm(m.group!))).toEqual(
      (await promApi<{ groups: PromGroup[] }>('rules?type=alert')).groups.map(promGroupExpected),
    );
    expect(record.map((m) => groupAsProm(m.group!))).toEqual(
      (await promApi<{ groups: PromGroup[] }>('rules?type=record')).groups.map(promGroupExpected),
    );
  });
});

interface PromActive {
  discoveredLabels: LabelMap;
  labels: LabelMap;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  health: string;
}
interface PbActive {
  discoveredLabels: PbLabelSet;
  labels: PbLabelSet;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: PbTimestamp | null;
  lastScrapeDuration: number;
  health: string;
}
interface PbTargetsResponse {
  result: 'targets' | 'warning';
  targets?: { activeTargets: PbActive[]; droppedTargets: { discoveredLabels: PbLabelSet }[] };
}

describe('thanos.Targets', () => {
  const targetsCall = async (state: string) => {
    const got = await collect<PbTargetsResponse>(stubs.targets.Targets({ state }));
    expect(got).toHaveLength(1);
    expect(got[0]!.result).toBe('targets');
    return got[0]!.targets!;
  };
  const activeAsProm = (t: PbActive) => ({
    discoveredLabels: labelMap(t.discoveredLabels),
    labels: labelMap(t.labels),
    scrapePool: t.scrapePool,
    scrapeUrl: t.scrapeUrl,
    globalUrl: t.globalUrl,
    health: t.health.toLowerCase(),
    failing: t.lastError !== '',
  });
  const promActive = (t: PromActive) => ({
    discoveredLabels: withExt(t.discoveredLabels),
    labels: withExt(t.labels),
    scrapePool: t.scrapePool,
    scrapeUrl: t.scrapeUrl,
    globalUrl: t.globalUrl,
    health: t.health,
    failing: t.lastError !== '',
  });
  const byUrl = <T extends { scrapeUrl: string }>(xs: T[]) =>
    [...xs].sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl));

  it('ANY: active and dropped targets as Prometheus lists them, with the external labels', async () => {
    const got = await targetsCall('ANY');
    const want = await promApi<{
      activeTargets: PromActive[];
      droppedTargets: { discoveredLabels: LabelMap }[];
    }>('targets');
    expect(byUrl(got.activeTargets.map(activeAsProm))).toEqual(
      byUrl(want.activeTargets.map(promActive)),
    );
    const health = got.activeTargets.map((t) => t.health).sort();
    expect(health).toEqual(['DOWN', 'UP', 'UP']); // the demo and Prometheus itself are up
    const down = got.activeTargets.find((t) => t.health === 'DOWN')!;
    expect(down.lastError).not.toBe('');
    expect(ms(down.lastScrape)).toBeGreaterThan(Date.now() - 60_000);
    for (const t of got.activeTargets)
      expect(isSorted(t.labels) && isSorted(t.discoveredLabels)).toBe(true);
    expect(got.droppedTargets.map((t) => labelMap(t.discoveredLabels))).toEqual(
      want.droppedTargets.map((t) => withExt(t.discoveredLabels)),
    );
    expect(got.droppedTargets).toHaveLength(1);
    expect(labelMap(got.droppedTargets[0]!.discoveredLabels)['__address__']).toBe('127.0.0.1:2');
  });

  it('ACTIVE and DROPPED select as Prometheus state=active|dropped', async () => {
    const active = await targetsCall('ACTIVE');
    expect(active.activeTargets).toHaveLength(3);
    expect(active.droppedTargets).toEqual([]);
    const dropped = await targetsCall('DROPPED');
    expect(dropped.activeTargets).toEqual([]);
    expect(dropped.droppedTargets).toHaveLength(1);
  });
});

interface PbMetadataResponse {
  result: 'metadata' | 'warning';
  metadata?: {
    metadata: Record<string, { metas: { type: string; help: string; unit: string }[] }>;
  };
}

describe('thanos.Metadata', () => {
  const metadataCall = async (req: { metric?: string; limit: number }) => {
    const got = await collect<PbMetadataResponse>(stubs.metadata.MetricMetadata(req));
    expect(got).toHaveLength(1);
    expect(got[0]!.result).toBe('metadata');
    return Object.fromEntries(
      Object.entries(got[0]!.metadata!.metadata).map(([k, v]) => [k, v.metas]),
    );
  };

  it('answers what Prometheus /api/v1/metadata answers, for metric and limit too', async () => {
    const all = await metadataCall({ limit: -1 });
    const want = await promApi<Record<string, unknown>>('metadata');
    expect(Object.keys(want).length).toBeGreaterThan(10);
    expect(all).toEqual(want);
    expect(all['demo_temperature_celsius']).toEqual([
      { type: 'gauge', help: 'A temperature.', unit: 'celsius' },
    ]);
    const one = await metadataCall({ metric: 'demo_requests', limit: -1 });
    expect(one).toEqual(await promApi('metadata?metric=demo_requests'));
    expect(Object.keys(one)).toEqual(['demo_requests']);
    expect(Object.keys(await metadataCall({ limit: 3 }))).toHaveLength(3);
  });
});

interface PbExemplarsResponse {
  result: 'data' | 'warning';
  data?: {
    seriesLabels: PbLabelSet;
    exemplars: { labels: PbLabelSet; value: number; ts: number }[];
  };
}

describe('thanos.Exemplars', () => {
  it('answers what Prometheus /api/v1/query_exemplars answers, series with the external labels', async () => {
    // Fixed bounds ending a few scrapes ago: both answers read the same exemplars.
    const end = Date.now() - 3000;
    const start = end - 600_000;
    const got = await collect<PbExemplarsResponse>(
      stubs.exemplars.Exemplars({ query: 'demo_requests_total', start, end }),
    );
    const want = await promApi<
      {
        seriesLabels: LabelMap;
        exemplars: { labels: LabelMap; value: string; timestamp: number }[];
      }[]
    >(`query_exemplars?query=demo_requests_total&start=${start / 1000}&end=${end / 1000}`);
    expect(want.length).toBe(1);
    expect(want[0]!.exemplars.length).toBeGreaterThan(0);
    expect(got.every((m) => m.result === 'data')).toBe(true);
    expect(
      got.map((m) => ({
        seriesLabels: labelMap(m.data!.seriesLabels),
        exemplars: m.data!.exemplars.map((e) => ({
          labels: labelMap(e.labels),
          value: e.value,
          ts: e.ts,
        })),
      })),
    ).toEqual(
      want.map((s) => ({
        seriesLabels: withExt(s.seriesLabels),
        exemplars: s.exemplars.map((e) => ({
          labels: e.labels,
          value: Number(e.value),
          ts: Math.round(e.timestamp * 1000),
        })),
      })),
    );
    expect(labelMap(got[0]!.data!.seriesLabels)).toMatchObject({ path: '/a', ...EXT });
    // A narrower range: only the exemplars inside it.
    const last = want[0]!.exemplars.at(-1)!;
    const narrow = await collect<PbExemplarsResponse>(
      stubs.exemplars.Exemplars({
        query: 'demo_requests_total',
        start: Math.round(last.timestamp * 1000),
        end: Math.round(last.timestamp * 1000),
      }),
    );
    expect(narrow.flatMap((m) => m.data!.exemplars.map((e) => labelMap(e.labels)))).toEqual([
      last.labels,
    ]);
  });

  it('a query Prometheus refuses is InvalidArgument with its reason', async () => {
    const err = (await collect(
      stubs.exemplars.Exemplars({ query: 'demo_requests_total{', start: 0, end: Date.now() }),
    ).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/parse error/);
  });
});

describe('Prometheus down', () => {
  it('every service fails Unavailable, naming the store, within seconds', async () => {
    await prom.stop();
    const calls: Array<[string, () => grpc.ClientReadableStream<unknown>]> = [
      ['Rules', () => stubs.rules.Rules({})],
      ['Targets', () => stubs.targets.Targets({})],
      ['Metadata', () => stubs.metadata.MetricMetadata({ limit: -1 })],
      ['Exemplars', () => stubs.exemplars.Exemplars({ query: 'up', start: 0, end: Date.now() })],
    ];
    for (const [name, call] of calls) {
      const t0 = Date.now();
      const err = (await collect(call()).then(
        () => new Error(`${name} succeeded`),
        (e: unknown) => e,
      )) as grpc.ServiceError;
      expect(err.code, name).toBe(grpc.status.UNAVAILABLE);
      expect(err.details, name).toContain(`sidecar ${prom.url}`);
      expect(Date.now() - t0, name).toBeLessThan(10_000);
    }
  });

  it('a sidecar still waiting for its Prometheus answers Unavailable, not a hang', async () => {
    const waiting = await startEdgeGrpcProcess(
      [
        'sidecar',
        `--prometheus.url=${prom.url}`,
        '--http-address=127.0.0.1:0',
        '--grpc-address=127.0.0.1:0',
      ],
      { STORE_TOKEN: TOKEN },
    );
    const s = loadStubs(waiting.grpcAddress);
    try {
      const err = (await collect(s.rules.Rules({})).then(
        () => new Error('Rules succeeded'),
        (e: unknown) => e,
      )) as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      expect(err.details).toContain(`waiting for Prometheus ${prom.url}`);
    } finally {
      for (const c of Object.values(s)) (c as grpc.Client).close();
      await waiting.stop();
    }
  });
});
