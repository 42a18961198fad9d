/**
 * @module scripts/lib/bench-data — the data and dashboard queries the PromQL benchmarks share:
 * BENCH_SERIES counters and gauges (plus a classic histogram) over 6h at 15s.
 */
import { createServer } from 'node:net';
import { labelsFrom, type Labels } from '../../core/labels/labels.ts';

export const SERIES = Number(process.env.BENCH_SERIES ?? 500);
export const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
export const RUNS = Number(process.env.BENCH_RUNS ?? 5);
export const SCRAPE = 15_000;
export const T0 = 1_700_000_000_000;
export const SPAN = 6 * 3600_000;

export const QUERIES = [
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

export interface Series {
  labels: Labels;
  v: Float64Array;
}

export function makeData(): { t: Float64Array; series: Series[] } {
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
      for (let i = 0; i < n; i++)
        v[i] = Math.floor(i * (1 + s) * (le === '+Inf' ? 4 : Math.log10(Number(le)) + 2));
      series.push({ labels: labelsFrom({ __name__: 'bench_bucket', le, instance: `i${s}` }), v });
    }
  }
  return { t, series };
}

export function openMetrics(t: Float64Array, series: readonly Series[]): string {
  const parts: string[] = [];
  let last = '';
  for (const s of series) {
    const name = s.labels.find((l) => l.name === '__name__')!.value;
    if (name !== last) parts.push(`# TYPE ${name} gauge\n`);
    last = name;
    const ls = s.labels
      .filter((l) => l.name !== '__name__')
      .map((l) => `${l.name}="${l.value}"`)
      .join(',');
    let chunk = '';
    for (let i = 0; i < t.length; i++) chunk += `${name}{${ls}} ${s.v[i]} ${t[i]! / 1000}\n`;
    parts.push(chunk);
  }
  parts.push('# EOF\n');
  return parts.join('');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() =>
        typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port')),
      );
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
