/**
 * @module test/helpers/promql-oracle-data — deterministic test data and queries for the
 * differential PromQL test against Prometheus 2.42: counters with resets, gauges with negative and
 * fractional values, sparse series with gaps longer than the lookback, and classic histograms.
 */
import { labelsFrom, type Labels } from '../../core/labels/labels.ts';
import { Random } from './random.ts';

export interface OracleSeries {
  readonly labels: Labels;
  readonly t: number[]; // ms
  readonly v: number[];
}

/** Data starts here (ms); a round number keeps step alignment interesting but readable. */
export const T0 = 1_700_000_000_000;
export const SPAN = 2 * 3600_000; // 2h of data
const SCRAPE = 15_000;

export function makeOracleData(): OracleSeries[] {
  const r = new Random(42);
  const out: OracleSeries[] = [];
  const push = (
    name: string,
    ls: Record<string, string>,
    gen: (i: number, t: number) => number | undefined,
    every = SCRAPE,
    jitter = 0,
  ) => {
    const t: number[] = [];
    const v: number[] = [];
    for (let ts = T0, step = 0; ts <= T0 + SPAN; ts += every, step++) {
      const x = gen(step, ts);
      if (x === undefined) continue;
      t.push(ts + (jitter ? r.int(jitter) : 0));
      v.push(x);
    }
    out.push({ labels: labelsFrom({ __name__: name, ...ls }), t, v });
  };
  for (const instance of ['a', 'b', 'c']) {
    for (const code of ['200', '500']) {
      let c = 0;
      push(
        'http_requests_total',
        { job: 'api', instance, code },
        (i) => {
          if (instance === 'b' && i % 97 === 50) c = 0; // counter reset
          c += r.int(code === '200' ? 20 : 3);
          return c;
        },
        SCRAPE,
        900,
      );
    }
  }
  push('http_requests_total', { job: 'web', instance: 'a', code: '200' }, (i) =>
    i > 200 && i < 260 ? undefined : i * 3,
  );
  for (const room of ['kitchen', 'hall', 'attic']) {
    push('temperature_celsius', { room }, () => Math.round((r.next() * 40 - 10) * 100) / 100);
  }
  // Samples 7m apart: longer than the 5m lookback.
  push('sparse_gauge', { kind: 'slow' }, (i) => i % 5, 7 * 60_000);
  push('sparse_gauge', { kind: 'fast' }, (i) => (i % 3) - 1, 60_000);
  const les = ['0.1', '0.5', '1', '5', '+Inf'];
  for (const path of ['/x', '/y']) {
    const counts = les.map(() => 0);
    const series = les.map(() => ({ t: [] as number[], v: [] as number[] }));
    for (let ts = T0; ts <= T0 + SPAN; ts += SCRAPE) {
      const n = r.int(10);
      for (let k = 0; k < n; k++) {
        const d = r.next() * 6;
        les.forEach((le, j) => {
          if (le === '+Inf' || d <= Number(le)) counts[j]!++;
        });
      }
      les.forEach((_, j) => {
        series[j]!.t.push(ts);
        series[j]!.v.push(counts[j]!);
      });
    }
    les.forEach((le, j) =>
      out.push({
        labels: labelsFrom({ __name__: 'req_duration_seconds_bucket', path, le }),
        ...series[j]!,
      }),
    );
  }
  // Same labels once the name is dropped, never present at the same time (Prometheus merges
  // such series per step, but rejects them outright after range functions and unary minus).
  push('disjoint_a', { x: '1' }, (i) => (i < 200 ? i : undefined));
  push('disjoint_b', { x: '1' }, (i) => (i > 260 ? i * 2 : undefined));
  push('humidity', { room: 'kitchen' }, () => Math.round(r.next() * 1000) / 10);
  push('up', { job: 'api', instance: 'a' }, () => 1);
  push('up', { job: 'api', instance: 'b' }, (i) => (i % 40 < 30 ? 1 : 0));
  push('up', { job: 'api', instance: 'c' }, () => 1);
  push('info_metric', { job: 'api', instance: 'a', version: 'v1' }, () => 1);
  push('info_metric', { job: 'api', instance: 'b', version: 'v2' }, () => 1);
  push('info_metric', { job: 'api', instance: 'c', version: 'v1' }, () => 1);
  return out;
}

/** OpenMetrics text for `promtool tsdb create-blocks-from openmetrics` (timestamps in seconds). */
export function toOpenMetrics(data: readonly OracleSeries[]): string {
  const byName = new Map<string, OracleSeries[]>();
  for (const s of data) {
    const name = s.labels.find((l) => l.name === '__name__')!.value;
    const g = byName.get(name) ?? [];
    g.push(s);
    byName.set(name, g);
  }
  let text = '';
  for (const [name, group] of byName) {
    text += `# TYPE ${name} gauge\n`;
    for (const s of group) {
      const ls = s.labels
        .filter((l) => l.name !== '__name__')
        .map((l) => `${l.name}="${l.value}"`)
        .join(',');
      for (let i = 0; i < s.t.length; i++) text += `${name}{${ls}} ${s.v[i]} ${s.t[i]! / 1000}\n`;
    }
  }
  return `${text}# EOF\n`;
}

/** Queries evaluated both ways. Chosen to cover every engine path, not every function. */
export const ORACLE_QUERIES: readonly string[] = [
  'http_requests_total',
  'http_requests_total offset 3m',
  'http_requests_total offset -2m',
  'http_requests_total @ 1700003600',
  'http_requests_total @ start()',
  'http_requests_total @ end() offset 1m',
  'rate(http_requests_total[5m])',
  'irate(http_requests_total[1m])',
  'increase(http_requests_total[10m] offset 5m)',
  'rate(http_requests_total[5m] @ end())',
  'sum by (job) (rate(http_requests_total[5m]))',
  'sum without (instance) (rate(http_requests_total[5m]))',
  'avg(temperature_celsius)',
  'min by (room) (temperature_celsius)',
  'max(temperature_celsius) - min(temperature_celsius)',
  'stddev(temperature_celsius)',
  'stdvar by (job) (http_requests_total)',
  'count(http_requests_total > 100)',
  'group by (code) (http_requests_total)',
  'topk(2, temperature_celsius)',
  'bottomk(1, http_requests_total) by (instance)',
  'quantile(0.9, temperature_celsius)',
  'quantile by (job) (0.5, rate(http_requests_total[2m]))',
  'count_values("value", sparse_gauge)',
  'count_values without (kind) ("v", sparse_gauge)',
  'sparse_gauge',
  'sparse_gauge offset 10m',
  'http_requests_total / on(instance, job) group_left(version) info_metric',
  'http_requests_total * ignoring(code) group_left up',
  'up == on(instance) group_left(version) info_metric',
  'rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])',
  'http_requests_total > 200',
  'http_requests_total > bool 200',
  '200 < http_requests_total',
  'temperature_celsius % 7',
  'temperature_celsius ^ 2',
  'temperature_celsius atan2 10',
  '-temperature_celsius',
  'http_requests_total{instance="a"} and up == 1',
  'up == 0 or temperature_celsius',
  'http_requests_total unless on(instance) up == 0',
  'sum(rate(http_requests_total[5m])) by (instance) and on(instance) up',
  'max_over_time(temperature_celsius[10m])',
  'avg_over_time(temperature_celsius[5m:30s])',
  'max_over_time(rate(http_requests_total[2m])[10m:1m])',
  'min_over_time(sum(temperature_celsius)[7m:45s] offset 2m)',
  'sum_over_time(up[10m:] @ 1700003000)',
  'rate(http_requests_total[5m:])',
  'last_over_time(sparse_gauge[10m])',
  'count_over_time(sparse_gauge[15m])',
  'absent(nonexistent_metric{job="x"})',
  'absent_over_time(sparse_gauge{kind="slow"}[5m])',
  'changes(sparse_gauge[30m])',
  'resets(http_requests_total[30m])',
  'deriv(temperature_celsius[10m])',
  'predict_linear(temperature_celsius[10m], 600)',
  'holt_winters(temperature_celsius[10m], 0.5, 0.5)',
  'histogram_quantile(0.9, rate(req_duration_seconds_bucket[5m]))',
  'histogram_quantile(0.5, sum by (le) (rate(req_duration_seconds_bucket[5m])))',
  'label_replace(up, "host", "$1", "instance", "(.*)")',
  'label_join(up, "both", "-", "job", "instance")',
  'timestamp(sparse_gauge)',
  'timestamp(sparse_gauge @ 1700001000)',
  'time() - timestamp(http_requests_total)',
  'scalar(up{instance="a"}) * temperature_celsius',
  'vector(1) + scalar(sum(up))',
  'clamp(temperature_celsius, 0, 20)',
  'abs(temperature_celsius) + ceil(temperature_celsius) - floor(temperature_celsius)',
  'round(temperature_celsius, 5)',
  'sort_desc(temperature_celsius)',
  'day_of_week() + hour() + minute()',
  'topk(scalar(count(up)) - 1, temperature_celsius)',
  'sum(http_requests_total) / count(http_requests_total)',
  '1 + 2 * 3',
  'time()',
  // Errors must match too (both sides fail).
  'label_replace(up, "instance", "x", "", "")',
  'http_requests_total + on(job) up',
  'up + on(job) group_left http_requests_total',
  'rate({__name__=~"temperature_celsius|humidity", room="kitchen"}[5m])',
  '-{__name__=~"temperature_celsius|humidity", room="kitchen"}',
  '{__name__=~"temperature_celsius|humidity", room="kitchen"} + 1',
  // Per-step merging versus whole-range rejection.
  '{__name__=~"disjoint_.*"} + 1',
  '-{__name__=~"disjoint_.*"}',
  'rate({__name__=~"disjoint_.*"}[5m])',
  'last_over_time({__name__=~"disjoint_.*"}[5m])',
  // @, offsets and subqueries combined.
  'sum(http_requests_total @ end())',
  'sum_over_time(http_requests_total[5m:1m] offset -3m)',
  'max_over_time((up @ 1700003000)[10m:1m])',
  'avg_over_time(max_over_time(up[2m:20s])[10m:1m])',
  'max_over_time(rate(http_requests_total[1m])[5m:30s] @ 1700004000)',
  'predict_linear(temperature_celsius[10m] @ end(), 60)',
  'timestamp(sparse_gauge @ 1700001000 offset 5m)',
  'topk(2, up)',
  'bottomk(2, up)',
  'topk(1, up) by (job)',
  'sort(up)',
  'scalar(sparse_gauge{kind="slow"})',
  'count_values("le", req_duration_seconds_bucket)',
  // Function coverage through the engine's call paths.
  'stddev_over_time(temperature_celsius[10m])',
  'stdvar_over_time(temperature_celsius[10m])',
  'quantile_over_time(0.25, temperature_celsius[10m])',
  'present_over_time(sparse_gauge[10m])',
  'idelta(temperature_celsius[2m])',
  'delta(temperature_celsius[10m])',
  'exp(temperature_celsius / 10)',
  'ln(humidity) + log2(humidity) + log10(humidity)',
  'sqrt(humidity)',
  'sgn(temperature_celsius)',
  'clamp_min(temperature_celsius, 5)',
  'clamp_max(temperature_celsius, 5)',
  'sin(temperature_celsius) + cos(temperature_celsius) + tan(temperature_celsius)',
  'deg(temperature_celsius) + rad(temperature_celsius)',
  'days_in_month() + day_of_month() + day_of_year() + month() + year()',
  'hour(timestamp(sparse_gauge))',
  'sort(rate(http_requests_total[5m]))',
  'sort_desc(sum by (instance) (http_requests_total))',
  'label_replace(http_requests_total, "c", "$1$2", "code", "(.)(.*)")',
  'count(count by (instance) (http_requests_total))',
  'avg by (instance) (rate(http_requests_total[5m])) > bool 1',
  'sum(rate(http_requests_total[5m] offset 1h))',
  'rate(http_requests_total[1m:15s])',
  'deriv(sum(http_requests_total)[10m:1m])',
  'histogram_quantile(0.99, sum by (le, path) (rate(req_duration_seconds_bucket[10m])))',
  'avg_over_time((temperature_celsius > 0)[15m:1m])',
  'max by (room) (max_over_time(temperature_celsius[5m]) - min_over_time(temperature_celsius[5m]))',
  'group_left_test_absent or vector(0)',
  // Range-vector and string results (instant only; range queries must fail on both sides).
  'up[3m]',
  'http_requests_total{instance="a"}[5m:1m]',
  '"hello"',
];
