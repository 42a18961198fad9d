/**
 * @module scripts/bench-rules — rule evaluation, same data, same rules, same run: BENCH_RULES
 * recording rules (default 500) in one group, evaluated by Prometheus 2.42 (rule_files over its
 * TSDB, filled by remote write) and by our ruler Durable Object (over the Worker's receive heads,
 * filled by the same remote-write stream). Both report `prometheus_rule_group_last_duration_seconds`
 * per iteration; the script samples it every interval and prints the median and p99 of each and
 * their ratio. Absolute times on a shared 2-core machine are noise; the ratio in one run is not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import {
  remoteWriteBody,
  remoteWriteHeaders,
  type WriteSeriesInput,
} from '../test/helpers/remote-write.ts';
import { startWorker, type WorkerHandle } from '../test/helpers/worker.ts';

const RULES = Number(process.env.BENCH_RULES ?? 500);
const SERIES = Number(process.env.BENCH_SERIES ?? 1000);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 30);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL ?? 10);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 12);
const TOKEN = 'bench-rules';
const SCRAPE = 15_000;
const METRICS = 10;

function ruleFile(): string {
  const exprs = [
    (m: number) => `sum by (job) (rate(bench_requests_total_${m}[5m]))`,
    (m: number) => `sum(bench_requests_total_${m})`,
    (m: number) => `max by (instance) (bench_requests_total_${m})`,
    (m: number) => `count by (job) (bench_requests_total_${m} > 100)`,
    (m: number) => `avg_over_time(bench_requests_total_${m}{job="job-1"}[2m])`,
  ];
  const rules = Array.from({ length: RULES }, (_, i) => {
    const expr = exprs[i % exprs.length]!(i % METRICS);
    return `      - record: bench:rule_${i}\n        expr: '${expr}'`;
  });
  return `groups:\n  - name: bench\n    interval: ${INTERVAL_S}s\n    rules:\n${rules.join('\n')}\n`;
}

/** The bench data: SERIES counters over MINUTES, as remote-write bodies in time order. */
function bodies(end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const steps = (MINUTES * 60_000) / SCRAPE;
  for (let s = 0; s < steps; s++) {
    const t = end - (steps - s) * SCRAPE;
    const batch: WriteSeriesInput[] = [];
    for (let i = 0; i < SERIES; i++) {
      batch.push({
        labels: {
          __name__: `bench_requests_total_${i % METRICS}`,
          instance: `host-${Math.floor(i / METRICS) % 50}`,
          job: `job-${i % 4}`,
          series: String(i),
        },
        samples: [[t, s * (1 + (i % 7))]],
      });
    }
    out.push(remoteWriteBody(batch));
  }
  return out;
}

async function push(url: string, all: Uint8Array[]): Promise<void> {
  for (const body of all) {
    const r = await fetch(url, {
      method: 'POST',
      headers: remoteWriteHeaders(TOKEN),
      body: body as Uint8Array<ArrayBuffer>,
    });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
  }
}

/** The group's last duration from a /metrics text (seconds), or undefined before the first run. */
function lastDuration(text: string): number | undefined {
  const m = /^prometheus_rule_group_last_duration_seconds\{[^}]*bench[^}]*\} (\S+)$/m.exec(text);
  const v = m ? Number(m[1]) : NaN;
  return v > 0 ? v : undefined;
}

/** Our group's last evaluation time from /api/v1/rules (what /metrics reports too). */
async function ourLastDuration(w: WorkerHandle): Promise<number | undefined> {
  const body = (await (await w.fetch('/api/v1/rules')).json()) as {
    data: { groups: Array<{ name: string; evaluationTime: number }> };
  };
  const v = body.data.groups.find((g) => g.name === 'bench')?.evaluationTime;
  return v && v > 0 ? v : undefined;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-rules-'));
  const children: ChildProcess[] = [];
  let worker: WorkerHandle | undefined;
  try {
    const rules = ruleFile();
    const rulePath = join(dir, 'bench.yml');
    await writeFile(rulePath, rules);
    const data = bodies(Date.now());
    console.log(
      `data: ${SERIES} series x ${MINUTES}m at 15s; ${RULES} recording rules in one group every ${INTERVAL_S}s`,
    );

    const promPort = await freePort();
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  evaluation_interval: ${INTERVAL_S}s\nrule_files: [${JSON.stringify(rulePath)}]\n`,
    );
    children.push(
      spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'prom')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--web.enable-remote-write-receiver',
        ],
        { stdio: 'ignore' },
      ),
    );
    const prom = `http://127.0.0.1:${promPort}`;
    for (let i = 0; i < 300; i++) {
      if ((await fetch(`${prom}/-/ready`).catch(() => undefined))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    worker = await startWorker({
      receive: true,
      ruler: true,
      vars: {
        STORE_TOKEN: TOKEN,
        RULE_RELOAD_INTERVAL: '1h',
        QUERY_FRONTEND: 'false',
        RULER_TENANT: 'rules',
      },
    });
    await push(`${prom}/api/v1/write`, data);
    await push(new URL('/api/v1/receive', worker.url).href, data);
    await (await worker.mf.getR2Bucket('BLOCKS', 'querier')).put('rules/bench.yml', rules);
    await worker.fetch('/api/v1/rules');

    const ours: number[] = [];
    const theirs: number[] = [];
    let lastOurs: number | undefined;
    let lastTheirs: number | undefined;
    const deadline = Date.now() + (ITERATIONS + 3) * INTERVAL_S * 1000 * 3;
    while ((ours.length < ITERATIONS || theirs.length < ITERATIONS) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const o = await ourLastDuration(worker);
      const p = lastDuration(await (await fetch(`${prom}/metrics`)).text());
      if (o !== undefined && o !== lastOurs) ours.push((lastOurs = o));
      if (p !== undefined && p !== lastTheirs) theirs.push((lastTheirs = p));
    }
    const ms = (s: number) => (s * 1000).toFixed(1);
    console.log('\n| ruler | iterations | median ms | p99 ms |\n|---|---|---|---|');
    console.log(
      `| Prometheus 2.42 | ${theirs.length} | ${ms(quantile(theirs, 0.5))} | ${ms(quantile(theirs, 0.99))} |`,
    );
    console.log(
      `| thanos-edge ruler | ${ours.length} | ${ms(quantile(ours, 0.5))} | ${ms(quantile(ours, 0.99))} |`,
    );
    console.log(
      `\nratio (ours / Prometheus): median ${(quantile(ours, 0.5) / quantile(theirs, 0.5)).toFixed(2)}x, p99 ${(quantile(ours, 0.99) / quantile(theirs, 0.99)).toFixed(2)}x`,
    );
  } finally {
    await worker?.stop().catch(() => undefined);
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null
          ? undefined
          : new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))),
      ),
    );
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

await main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
