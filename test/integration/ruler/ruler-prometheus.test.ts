/**
 * The ruler against Prometheus 2.42 on the same data: a real Prometheus scrapes itself every
 * second, remote-writes what it scrapes (and what its own rules record) to the Worker, and
 * evaluates a rule file; our ruler evaluates the same file over the remote-written data.
 *
 * Both align a group's evaluations by a hash of its file name; RULE_FILE_ROOT gives our group the
 * name Prometheus knows the file by, so both record at the same instants, with the same values.
 * Each side's samples are also checked against the other side's query engine at their times: every
 * value our ruler recorded equals what Prometheus answers for the rule at that time, and every
 * value Prometheus's rules recorded equals what our querier answers at that time.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { freePort } from '../../helpers/ports.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'ruler-prom-token';
const RULES: Array<[string, string]> = [
  ['diff:up:count', 'count by (job) (up)'],
  ['diff:build:sum', 'sum by (version) (prometheus_build_info)'],
  ['diff:go_gauges:count', 'count by (job) ({__name__=~"go_(goroutines|threads|info)"})'],
  ['diff:scrape_samples:max', 'max by (job) (scrape_samples_scraped > 0) * 0 + 1'],
];
const RULE_FILE = `groups:
  - name: diff
    interval: 2s
    rules:
${RULES.map(([r, e]) => `      - record: ${r}\n        expr: '${e}'`).join('\n')}
`;

type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;
type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(base: string, q: string, time: number): Promise<T> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`);
  const body = (await r.json()) as { status: string; data: { result: T }; error?: string };
  if (body.status !== 'success') throw new Error(`${base}: ${q}: ${body.error}`);
  return body.data.result;
}

/** Labels without the ones the receive path adds, and without __name__. */
function key(m: Record<string, string>): string {
  const { __name__: _n, tenant_id: _t, receive: _r, ...rest } = m;
  return JSON.stringify(Object.entries(rest).sort());
}

describe('ruler vs Prometheus 2.42 on the same data', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  let prom: LivePrometheus;

  beforeAll(async () => {
    tmp = await makeTmpDir('ruler-prom-');
    const port = await freePort();
    worker = await startWorker({
      receive: true,
      ruler: true,
      port,
      vars: {
        STORE_TOKEN: TOKEN,
        RULE_RELOAD_INTERVAL: '1s',
        // Our ruler's output apart from Prometheus's (which Prometheus remote-writes too).
        RULER_TENANT: 'edge-ruler',
        // The group's file name as Prometheus knows it: both evaluate at the same times.
        RULE_FILE_ROOT: tmp.path,
        QUERY_FRONTEND: 'false',
      },
    });
    await (await worker.mf.getR2Bucket('BLOCKS', 'querier')).put('rules/diff.yml', RULE_FILE);
    const ruleFile = join(tmp.path, 'diff.yml');
    await writeFile(ruleFile, RULE_FILE);
    prom = await startLivePrometheus({
      dir: join(tmp.path, 'prom'),
      externalLabels: {},
      blockDuration: '2h',
      ruleFiles: [ruleFile],
      remoteWrite: { url: `http://127.0.0.1:${port}/api/v1/receive`, token: TOKEN },
    });
    // Starts the ruler's schedule.
    expect((await worker.fetch('/api/v1/rules')).status).toBe(200);
  });

  afterAll(async () => {
    await prom?.stop();
    await worker?.stop();
    await tmp?.remove();
  });

  it('records what Prometheus computes, and Prometheus records what our querier computes', async () => {
    await sleep(20_000);
    const now = Date.now() / 1000 - 5;
    const exprOf = new Map(RULES);

    const ours = await api<Matrix>(
      worker.url.origin,
      '{__name__=~"diff:.+", tenant_id="edge-ruler"}[15s]',
      now,
    );
    let compared = 0;
    for (const s of ours) {
      const expr = exprOf.get(s.metric.__name__!)!;
      for (const [t, v] of s.values) {
        const theirs = await api<Vector>(prom.url, expr, t);
        const match = theirs.find((x) => key(x.metric) === key(s.metric));
        expect(match?.value[1], `${s.metric.__name__} at ${t}`).toBe(v);
        compared++;
      }
    }
    expect(new Set(ours.map((s) => s.metric.__name__)).size).toBe(RULES.length);
    expect(compared).toBeGreaterThanOrEqual(RULES.length * 3);

    const theirsRecorded = await api<Matrix>(prom.url, '{__name__=~"diff:.+"}[15s]', now);
    let reverse = 0;
    for (const s of theirsRecorded) {
      const expr = exprOf.get(s.metric.__name__!)!;
      for (const [t, v] of s.values) {
        const got = await api<Vector>(worker.url.origin, `${expr}`, t);
        // Prometheus's own remote-written rule output is data here too: compare the rule's inputs.
        const match = got.find((x) => key(x.metric) === key(s.metric));
        expect(match?.value[1], `${s.metric.__name__} at ${t}`).toBe(v);
        reverse++;
      }
    }
    expect(reverse).toBeGreaterThanOrEqual(RULES.length * 3);

    // With RULE_FILE_ROOT both rulers evaluate the group at the same instants: where both have a
    // sample for a series at one time, the values are the same.
    const byKey = (m: Matrix) =>
      new Map(
        m.flatMap((s) =>
          s.values.map(([t, v]) => [`${s.metric.__name__}${key(s.metric)}@${t}`, v] as const),
        ),
      );
    const ourSamples = byKey(ours);
    const theirSamples = byKey(theirsRecorded);
    const common = [...ourSamples.keys()].filter((k) => theirSamples.has(k));
    expect(common.length).toBeGreaterThanOrEqual(RULES.length * 3);
    for (const k of common) expect(ourSamples.get(k), k).toBe(theirSamples.get(k));
  }, 120_000);
});
