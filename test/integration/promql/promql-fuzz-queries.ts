/**
 * @module test/integration/promql/promql-fuzz-queries — a seeded generator of random, well-typed PromQL
 * expressions over the oracle data set (promql-oracle-data.ts), for differential runs against
 * Prometheus 2.42: nests selectors with offsets and @, range functions over selectors and
 * subqueries, aggregations, vector matching with on/ignoring/group_left and set operators.
 * Some generated queries are errors in Prometheus (many-to-many, duplicate label sets); the
 * engine must fail on exactly those.
 */
import { Random } from '../../helpers/random.ts';

const METRICS: [string, string[]][] = [
  ['http_requests_total', ['job', 'instance', 'code']],
  ['temperature_celsius', ['room']],
  ['up', ['job', 'instance']],
  ['sparse_gauge', ['kind']],
  ['info_metric', ['job', 'instance', 'version']],
  ['humidity', ['room']],
  ['disjoint_a', ['x']],
];
const MATCHERS = [
  '',
  '{instance="a"}',
  '{code!="500"}',
  '{room=~"k.*|hall"}',
  '{job="api"}',
  '{kind!~"s.*"}',
];
const LABELS = ['job', 'instance', 'code', 'room', 'kind', 'version', 'x'];
const RANGE_FNS = [
  'rate',
  'increase',
  'delta',
  'avg_over_time',
  'max_over_time',
  'min_over_time',
  'count_over_time',
  'last_over_time',
  'changes',
  'sum_over_time',
  'stddev_over_time',
  'deriv',
  'irate',
  'resets',
];
const AGGS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const ARITH = ['+', '-', '*', '/', '%', '^', 'atan2'];
const CMP = ['==', '!=', '>', '<', '>=', '<='];
const DURS = ['30s', '1m', '2m', '5m', '7m', '10m'];
const OFFSETS = ['', ' offset 1m', ' offset 5m', ' offset -2m', ' offset 30s'];
const ATS = ['', '', '', ' @ start()', ' @ end()', ' @ 1700003000', ' @ 1700000123.456'];

export function fuzzQueries(seed: number, n: number): string[] {
  const r = new Random(seed);
  const subset = (xs: readonly string[]): string => xs.filter(() => r.chance(0.4)).join(', ');

  const selector = (): string => {
    const [m] = r.pick(METRICS);
    return `${m}${r.chance(0.4) ? r.pick(MATCHERS) : ''}${r.pick(ATS)}${r.pick(OFFSETS)}`;
  };
  const scalar = (d: number): string => {
    const c = r.next();
    if (c < 0.5 || d <= 0) return r.pick(['1', '2', '0.5', '-3', '10', '0']);
    if (c < 0.7) return `scalar(${vector(d - 1)})`;
    if (c < 0.8) return 'time()';
    return `(${scalar(d - 1)} ${r.pick(ARITH.slice(0, 4))} ${scalar(d - 1)})`;
  };
  const matrixArg = (d: number): string => {
    if (r.chance(0.7) || d <= 0) {
      const [m] = r.pick(METRICS);
      return `${m}${r.chance(0.3) ? r.pick(MATCHERS) : ''}[${r.pick(DURS)}]${r.pick(ATS)}${r.pick(OFFSETS)}`;
    }
    return `(${vector(d - 1)})[${r.pick(['5m', '10m', '3m'])}:${r.pick(['', '30s', '1m', '45s'])}]${r.pick(ATS)}${r.pick(OFFSETS)}`;
  };
  const vector = (d: number): string => {
    const c = r.next();
    if (d <= 0 || c < 0.2) return selector();
    if (c < 0.4) return `${r.pick(RANGE_FNS)}(${matrixArg(d - 1)})`;
    if (c < 0.55) {
      const g = subset(LABELS);
      return `${r.pick(AGGS)} ${r.chance(0.5) ? 'by' : 'without'} (${g}) (${vector(d - 1)})`;
    }
    // topk/bottomk over a selector or a range function of one: with ties, which series wins
    // depends on input order, which Prometheus only fixes for those (other range-mode results
    // come out of a Go map).
    if (c < 0.6) {
      const arg = r.chance(0.5) ? selector() : `${r.pick(RANGE_FNS)}(${matrixArg(0)})`;
      return `${r.pick(['topk', 'bottomk'])}(${r.pick(['1', '2', '3'])}, ${arg})`;
    }
    if (c < 0.63) return `quantile(${r.pick(['0.1', '0.5', '0.99'])}, ${vector(d - 1)})`;
    if (c < 0.72) {
      const s = scalar(d - 1);
      const op = r.pick([...ARITH, ...CMP]);
      const bool = CMP.includes(op) && r.chance(0.5) ? ' bool' : '';
      return r.chance(0.5)
        ? `(${vector(d - 1)}) ${op}${bool} (${s})`
        : `(${s}) ${op}${bool} (${vector(d - 1)})`;
    }
    if (c < 0.85) {
      const op = r.pick([...ARITH, ...CMP, 'and', 'or', 'unless']);
      const set = op === 'and' || op === 'or' || op === 'unless';
      const bool = CMP.includes(op) && r.chance(0.3) ? ' bool' : '';
      let mod = '';
      const m = r.next();
      if (m < 0.3) mod = ` on(${subset(LABELS)})`;
      else if (m < 0.5) mod = ` ignoring(${subset(LABELS)})`;
      if (mod && !set && r.chance(0.3)) mod += ` group_left(${subset(['version', 'code'])})`;
      return `(${vector(d - 1)}) ${op}${bool}${mod} (${vector(d - 1)})`;
    }
    if (c < 0.9) return `-(${vector(d - 1)})`;
    if (c < 0.93)
      return `${r.pick(['abs', 'ceil', 'floor', 'sqrt', 'exp', 'round', 'sgn', 'sort', 'sort_desc', 'timestamp', 'absent'])}(${vector(d - 1)})`;
    if (c < 0.95)
      return `label_replace(${vector(d - 1)}, "dst", "$1", "${r.pick(LABELS)}", "(.*)")`;
    const e = r.next();
    if (e < 0.15) return `count_values("val", ${vector(d - 1)})`;
    if (e < 0.3)
      return `histogram_quantile(${r.pick(['0.5', '0.9', '1.5'])}, sum by (le${r.chance(0.5) ? ', path' : ''}) (rate(req_duration_seconds_bucket[${r.pick(DURS)}]${r.pick(OFFSETS)})))`;
    if (e < 0.45) return `predict_linear(${matrixArg(d - 1)}, ${r.pick(['60', '600', '-30'])})`;
    if (e < 0.55) return `holt_winters(${matrixArg(d - 1)}, 0.5, ${r.pick(['0.1', '0.9'])})`;
    if (e < 0.65)
      return `quantile_over_time(${r.pick(['0.2', '0.5', '0.95'])}, ${matrixArg(d - 1)})`;
    if (e < 0.75)
      return `${r.pick(['absent_over_time', 'present_over_time', 'idelta'])}(${matrixArg(d - 1)})`;
    if (e < 0.85) return `clamp(${vector(d - 1)}, ${scalar(d - 1)}, ${scalar(d - 1)})`;
    if (e < 0.92) return `vector(${scalar(d - 1)})`;
    return `label_join(${vector(d - 1)}, "joined", "-", "${r.pick(LABELS)}", "${r.pick(LABELS)}")`;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(vector(1 + r.int(3)));
  return out;
}
