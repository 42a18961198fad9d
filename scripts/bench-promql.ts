/**
 * @module scripts/bench-promql — PromQL engine speed against Prometheus 2.42 on the same data.
 *
 * Builds BENCH_SERIES counters and gauges (6h at 15s) into blocks with promtool, starts the real
 * Prometheus on them, and runs each query as a range query (6h, step BENCH_STEP s) on both:
 * Prometheus's own execTotalTime (from `stats=all`, so HTTP and JSON are not counted) against our
 * Engine over MemoryStorage (median of BENCH_RUNS). Prints one line per query and the ratio.
 *
 *   npm run bench:promql            # BENCH_SERIES=500 BENCH_STEP=60 BENCH_RUNS=5
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labelsFrom, type Labels } from '../core/labels/labels.ts';
import { Engine } from '../core/promql/engine/engine.ts';
import { MemoryStorage } from '../core/promql/storage/memory.ts';
import { promtoolCreateBlocks } from '../test/helpers/promtool.ts';
import { makeTmpDir } from '../test/helpers/tmp.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 500);
const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SCRAPE = 15_000;
const T0 = 1_700_000_000_000;
const SPAN = 6 * 3600_000;

const QUERIES = [
  'bench_gauge',
  'rate(bench_counter[5m])',
  'sum by (job) (rate(bench_counter[5m]))',
  'avg_over_time(bench_gauge[10m])',
  'bench_counter / on(instance, job) bench_gauge',
  'topk(5, bench_gauge)',
  'quantile(0.9, bench_gauge)',
  'max_over_time(sum by (job) (bench_gauge)[30m:1m])',
  'histogram_quantile(0.9, sum by (le) (rate(bench_bucket[5m])))',
  'sum(rate(bench_counter[5m]))',
  'sum by (job) (bench_gauge)',
  'avg by (job) (bench_gauge)',
  'max by (job) (bench_gauge)',
  'count by (job) (bench_gauge > 0)',
  'increase(bench_counter[1h])',
  'irate(bench_counter[5m])',
  'bottomk(3, rate(bench_counter[5m]))',
  'stddev_over_time(bench_gauge[10m])',
  'deriv(bench_gauge[15m])',
  'predict_linear(bench_gauge[30m], 3600)',
  'bench_gauge > 0.5',
  'sum by (job) (rate(bench_counter[5m])) / ignoring(job) group_left sum(rate(bench_counter[5m]))',
  'histogram_quantile(0.99, sum by (le, instance) (rate(bench_bucket[5m])))',
];

interface Series {
  labels: Labels;
  v: Float64Array;
}

function makeData(): { t: Float64Array; series: Series[] } {
  const n = SPAN / SCRAPE + 1;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = T0 + i * SCRAPE;
  const series: Series[] = [];
  for (let s = 0; s < SERIES; s++) {
    const ls = { job: `j${s % 10}`, instance: `i${s}` };
    const c = new Float64Array(n);
    const g = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += (s * 7 + i * 13) % 17;
      c[i] = acc;
      g[i] = Math.round(Math.sin(i / 50 + s) * 1000) / 1000;
    }
    series.push({ labels: labelsFrom({ __name__: 'bench_counter', ...ls }), v: c });
    series.push({ labels: labelsFrom({ __name__: 'bench_gauge', ...ls }), v: g });
  }
  for (const le of ['0.1', '1', '10', '+Inf']) {
    for (let s = 0; s < Math.max(1, SERIES / 50); s++) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = Math.floor(i * (1 + s) * (le === '+Inf' ? 4 : Math.log10(Number(le)) + 2));
      series.push({ labels: labelsFrom({ __name__: 'bench_bucket', le, instance: `i${s}` }), v });
    }
  }
  return { t, series };
}

function openMetrics(t: Float64Array, series: readonly Series[]): string {
  const parts: string[] = [];
  let last = '';
  for (const s of series) {
    const name = s.labels.find((l) => l.name === '__name__')!.value;
    if (name !== last) parts.push(`# TYPE ${name} gauge\n`);
    last = name;
    const ls = s.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`).join(',');
    let chunk = '';
    for (let i = 0; i < t.length; i++) chunk += `${name}{${ls}} ${s.v[i]} ${t[i]! / 1000}\n`;
    parts.push(chunk);
  }
  parts.push('# EOF\n');
  return parts.join('');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const tmp = await makeTmpDir('bench-promql-');
  const { t, series } = makeData();
  const storage = new MemoryStorage();
  for (const s of series) storage.append(s.labels, t, s.v);
  console.log(`# ${series.length} series, ${series.length * t.length} samples, range 6h step ${STEP / 1000}s, median of ${RUNS}`);
  const { db } = await promtoolCreateBlocks(openMetrics(t, series), tmp.path);
  const cfg = join(tmp.path, 'prometheus.yml');
  await writeFile(cfg, 'global:\n  scrape_interval: 1h\n');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const prom = spawn('/usr/bin/prometheus', [`--config.file=${cfg}`, `--storage.tsdb.path=${db}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y'], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // starting
      }
      if (i > 600) throw new Error('prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const engine = new Engine(storage);
    const start = T0;
    const end = T0 + SPAN;
    console.log(`${'query'.padEnd(64)} ${'prometheus'.padStart(11)} ${'ours'.padStart(9)}  ratio`);
    const ratios: number[] = [];
    for (const q of QUERIES) {
      const promTimes: number[] = [];
      const ourTimes: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const body = new URLSearchParams({ query: q, start: String(start / 1000), end: String(end / 1000), step: String(STEP / 1000), stats: 'all' });
        const res = (await (await fetch(`${base}/api/v1/query_range`, { method: 'POST', body })).json()) as {
          status: string;
          error?: string;
          data: { stats: { timings: { execTotalTime: number } } };
        };
        if (res.status !== 'success') throw new Error(`prometheus: ${q}: ${res.error}`);
        promTimes.push(res.data.stats.timings.execTotalTime * 1000);
        const t0 = performance.now();
        await engine.rangeQuery(q, start, end, STEP);
        ourTimes.push(performance.now() - t0);
      }
      const p = median(promTimes);
      const o = median(ourTimes);
      console.log(`${q.padEnd(64)} ${p.toFixed(1).padStart(9)}ms ${o.toFixed(1).padStart(7)}ms  ${(o / p).toFixed(2)}x`);
      ratios.push(o / p);
    }
    console.log(`median ratio (ours / Prometheus) over ${ratios.length} queries: ${median(ratios).toFixed(2)}x`);
  } finally {
    const exited = new Promise((r) => prom.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
    await tmp.remove();
  }
}

await main();
