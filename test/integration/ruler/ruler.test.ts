/**
 * The ruler Durable Object in workerd, over data remote-written to the Worker's receiver, with a
 * REAL Alertmanager 0.25: recording results and ALERTS written back through the receive path and
 * queryable; the alert reaches Alertmanager with its labels, external labels and templated
 * annotations, then resolves there; a failing rule shows its error in /api/v1/rules while the
 * others keep running; a reset ruler keeps the alert's `activeAt` (restored from ALERTS_FOR_STATE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type AlertmanagerHandle } from '../../helpers/alertmanager.ts';
import { remoteWriteBody, remoteWriteHeaders } from '../../helpers/remote-write.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'ruler-test-token';
const RULES = `groups:
  - name: main
    interval: 1s
    rules:
      - record: job:test_value:sum
        expr: sum by (job) (test_value)
      - alert: TestHigh
        expr: test_value > 0
        for: 2s
        labels:
          severity: page
        annotations:
          summary: 'value {{ $value }} on {{ $labels.job }} ({{ $externalLabels.ruler }})'
  - name: limited
    interval: 1s
    limit: 1
    partial_response_strategy: warn
    rules:
      - record: too_many
        expr: test_value or test_other
`;

interface RuleJson {
  name: string;
  health: string;
  lastError: string;
  type: string;
}
interface AlertJson {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

describe('ruler at the edge with a real Alertmanager', () => {
  let tmp: TmpDir;
  let am: AlertmanagerHandle;
  let worker: WorkerHandle;
  let value = 1;
  let feeding: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    tmp = await makeTmpDir('ruler-');
    am = await startAlertmanager(tmp.path);
    worker = await startWorker({
      receive: true,
      ruler: true,
      vars: {
        STORE_TOKEN: TOKEN,
        ALERTMANAGER_URLS: am.url,
        RULE_RELOAD_INTERVAL: '1s',
        RULER_LABELS: 'ruler=edge',
        // Prometheus restores only alerts whose `for` is at least the grace period (10m default).
        RULE_FOR_GRACE_PERIOD: '1s',
        QUERY_FRONTEND: 'false',
      },
    });
    await (await worker.mf.getR2Bucket('BLOCKS', 'querier')).put('rules/test.yml', RULES);
    const feed = async () => {
      const t = Date.now();
      await worker
        .fetch('/api/v1/receive', {
          method: 'POST',
          headers: remoteWriteHeaders(TOKEN),
          body: remoteWriteBody([
            { labels: { __name__: 'test_value', job: 'x' }, samples: [[t, value]] },
            { labels: { __name__: 'test_other', job: 'y' }, samples: [[t, 5]] },
          ]),
        })
        .catch(() => undefined);
    };
    await feed();
    feeding = setInterval(() => void feed(), 500);
  });

  afterAll(async () => {
    if (feeding) clearInterval(feeding);
    await worker?.stop();
    await am?.stop();
    await tmp?.remove();
  });

  const rules = async (type = '') => {
    const r = await worker.fetch(`/api/v1/rules${type}`);
    expect(r.status).toBe(200);
    return ((await r.json()) as { data: { groups: Array<{ name: string; rules: RuleJson[] }> } })
      .data.groups;
  };
  const alerts = async () =>
    ((await (await worker.fetch('/api/v1/alerts')).json()) as { data: { alerts: AlertJson[] } })
      .data.alerts;
  const query = async (q: string) => {
    const r = await worker.fetch(`/api/v1/query?query=${encodeURIComponent(q)}`);
    return (
      (await r.json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      }
    ).data.result;
  };

  it('evaluates rules, writes their results back, and sends the alert to Alertmanager', async () => {
    const groups = await until('rules evaluated', async () => {
      const g = await rules();
      const limitedRule = g.find((x) => x.name === 'limited')?.rules[0];
      return g.length === 2 &&
        g.every((x) => x.rules.every((r) => r.health !== 'unknown')) &&
        limitedRule?.health === 'err'
        ? g
        : undefined;
    });
    const main = groups.find((g) => g.name === 'main')!;
    expect(main.rules.map((r) => [r.name, r.type, r.health])).toEqual([
      ['job:test_value:sum', 'recording', 'ok'],
      ['TestHigh', 'alerting', 'ok'],
    ]);
    // The failing rule shows its error; the other group runs on.
    const limited = groups.find((g) => g.name === 'limited')!.rules[0]!;
    expect(limited.health).toBe('err');
    expect(limited.lastError).toMatch(/limit/);
    expect((await rules('?type=alert')).flatMap((g) => g.rules.map((r) => r.type))).toEqual([
      'alerting',
    ]);

    const recorded = await until('recorded series', async () => {
      const r = await query('job:test_value:sum');
      return r.length > 0 ? r : undefined;
    });
    expect(recorded.map((s) => [s.metric.job, s.metric.ruler, s.value[1]])).toEqual([
      ['x', 'edge', '1'],
    ]);

    const received = await until('alert in Alertmanager', async () => {
      const a = (await am.alerts()).find((x) => x.labels.alertname === 'TestHigh');
      return a;
    });
    expect(received.labels).toMatchObject({
      alertname: 'TestHigh',
      severity: 'page',
      job: 'x',
      ruler: 'edge',
    });
    expect(received.annotations.summary).toBe('value 1 on x (edge)');
    const firing = await until('ALERTS firing', async () => {
      const r = await query('ALERTS{alertname="TestHigh", alertstate="firing"}');
      return r.length > 0 ? r : undefined;
    });
    expect(firing[0]!.metric.severity).toBe('page');
  });

  it('keeps the alert firing with its activeAt across a ruler reset', async () => {
    const before = await until('firing alert', async () => {
      const a = (await alerts()).find((x) => x.state === 'firing');
      return a;
    });
    const ns = await worker.mf.getDurableObjectNamespace('RULER', 'querier');
    await ns
      .get(ns.idFromName('ruler'))
      .fetch('https://x/abort', { method: 'POST' })
      .catch(() => undefined);
    await sleep(2500);
    const after = await until('alert after reset', async () => {
      const a = (await alerts()).find((x) => x.labels.alertname === 'TestHigh');
      return a && a.state === 'firing' ? a : undefined;
    });
    // ALERTS_FOR_STATE holds activeAt in whole seconds (Prometheus's too): restored to the second.
    expect(Date.parse(after.activeAt)).toBe(Math.floor(Date.parse(before.activeAt) / 1000) * 1000);
    expect(Date.now() - Date.parse(after.activeAt)).toBeGreaterThan(2500);
  });

  it('resolves the alert in Alertmanager once the condition ends', async () => {
    value = 0;
    await until(
      'alert resolved in Alertmanager',
      async () =>
        (await am.alerts()).some(
          (x) => x.labels.alertname === 'TestHigh' && Date.parse(x.endsAt) > Date.now(),
        )
          ? undefined
          : true,
      60_000,
    );
    expect(await alerts()).toEqual([]);
  });
});
