/**
 * @module test/integration/promql/promql-functions-oracle.test — every PromQL function against the real
 * Prometheus 2.42 binary, BIT-EXACT (not test.go's 1e-6): the same data (blocks built by promtool)
 * is queried over Prometheus's HTTP API and through our Engine over MemoryStorage. The data is
 * chosen to hit the functions' edges: counter resets, irregular scrapes, NaN/±Inf samples, huge
 * and tiny values, constant series, odd `le` spellings, epoch-second values for date functions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom, labelsToString, type Labels } from '../../../core/labels/labels.ts';
import { errorMessage } from '../../../core/errors.ts';
import { Engine } from '../../../core/promql/engine/engine.ts';
import type { QueryValue } from '../../../core/promql/engine/result.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { freePort } from '../../helpers/ports.ts';
import { Random } from '../../helpers/random.ts';

const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const T0 = 1_700_000_000_000;
const SPAN = 90 * 60_000;

interface Data {
  labels: Labels;
  t: number[];
  v: number[];
}

function makeData(): Data[] {
  const r = new Random(7);
  const out: Data[] = [];
  /** Whole-second jitter keeps the OpenMetrics seconds → ms conversion exact. */
  const push = (
    name: string,
    ls: Record<string, string>,
    every: number,
    jitter: number,
    gen: (i: number) => number | undefined,
  ) => {
    const t: number[] = [];
    const v: number[] = [];
    for (let ts = T0, i = 0; ts <= T0 + SPAN; ts += every, i++) {
      const x = gen(i);
      if (x === undefined) continue;
      t.push(ts + r.int(jitter) * 1000);
      v.push(x);
    }
    out.push({ labels: labelsFrom({ __name__: name, ...ls }), t, v });
  };
  for (const inst of ['a', 'b', 'c']) {
    let c = inst === 'c' ? 5000 : 0;
    push('ctr_total', { inst }, 15_000, 10, (i) => {
      if (inst === 'b' && i % 53 === 20) c = r.int(3); // resets, not always to zero
      c += r.int(40) + r.next();
      return c;
    });
  }
  push('ctr_total', { inst: 'nan' }, 30_000, 0, (i) => (i % 17 === 5 ? NaN : i * 7.25));
  for (const room of ['k', 'h'])
    push('gauge', { room }, 20_000, 5, () => Math.round((r.next() * 60 - 20) * 1000) / 1000);
  push('gauge', { room: 'const' }, 20_000, 0, () => 1.5990505637277868);
  push(
    'gauge',
    { room: 'tiny' },
    20_000,
    0,
    (i) => (i % 2 === 0 ? 1e-300 : -3e-310) * (1 + r.next()),
  );
  const weird = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324, 3, -3];
  push('weird', { kind: 'mix' }, 30_000, 0, (i) =>
    i % 3 === 0 ? r.pick(weird) : r.next() * 10 - 5,
  );
  push('weird', { kind: 'big' }, 30_000, 0, () => 9.988465674311579e307 * (r.chance(0.5) ? 1 : -1));
  push('unit', { kind: 'u' }, 30_000, 3, () => r.next() * 2.4 - 1.2);
  push('unit', { kind: 'wide' }, 30_000, 3, () => (r.next() - 0.5) * 2e7);
  push('epoch', { kind: 'sec' }, 60_000, 0, (i) => 946684799 + i * 2_345_678.5 + (i % 7) * 0.25);
  push('epoch', { kind: 'neg' }, 60_000, 0, (i) => -5e9 + i * 1e8);
  push('sparse', { kind: 's' }, 7 * 60_000, 0, (i) => i % 4);
  const les = ['0.05', '0.1', '2.5e-1', '1', '1.0', '+Inf'];
  for (const path of ['/x', '/y']) {
    const counts = les.map(() => 0);
    const series = les.map(() => ({ t: [] as number[], v: [] as number[] }));
    for (let ts = T0; ts <= T0 + SPAN; ts += 15_000) {
      const n = r.int(8);
      for (let k = 0; k < n; k++) {
        const d = r.next() * 1.5;
        les.forEach((le, j) => {
          if (le === '+Inf' || d <= Number(le)) counts[j]!++;
        });
      }
      les.forEach((_, j) => {
        series[j]!.t.push(ts);
        // The /y histogram is non-monotonic (a racing recording rule) in one bucket.
        series[j]!.v.push(path === '/y' && j === 2 ? Math.max(0, counts[j]! - 3) : counts[j]!);
      });
    }
    les.forEach((le, j) =>
      out.push({ labels: labelsFrom({ __name__: 'lat_bucket', path, le }), ...series[j]! }),
    );
  }
  // Odd buckets: an `le` of NaN, a malformed `le` (skipped), a bucket without `le` (skipped), no +Inf.
  for (const [path, le] of [
    ['/z', '0.5'],
    ['/z', 'NaN'],
    ['/z', '+Inf'],
    ['/z', 'abc'],
    ['/n', '1'],
    ['/n', '2'],
  ]) {
    push(
      'lat_bucket',
      { path, le: le! },
      15_000,
      0,
      (i) => i * (le === 'NaN' ? 2 : 1) + (le === '+Inf' ? 5 : 0),
    );
  }
  push('lat_bucket', { path: '/z' }, 15_000, 0, (i) => i);
  // Many equal values: sort/sort_desc then show Go's pdqsort tie order (and NaN placement).
  const tieVals = [1, 2, NaN, 2, 1, 1, 0, -0, 2, 1];
  // 160 series: long enough for pdqsort's partitioning, partial insertion sort and pattern breaking.
  for (let i = 0; i < 160; i++)
    push(
      'tie',
      { id: String(i).padStart(3, '0') },
      60_000,
      0,
      (k) => tieVals[(i * 7 + k) % tieVals.length]!,
    );
  for (const [i, src] of ['source-value-10', 'source-value-20', 'other'].entries()) {
    push('lbl', { src, dst: 'orig', n: String(i) }, 60_000, 0, () => i);
  }
  return out;
}

function omValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function toOpenMetrics(data: readonly Data[]): string {
  const byName = new Map<string, Data[]>();
  for (const s of data) {
    const name = s.labels.find((l) => l.name === '__name__')!.value;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  let text = '';
  for (const [name, group] of byName) {
    text += `# TYPE ${name} gauge\n`;
    for (const s of group) {
      const ls = s.labels
        .filter((l) => l.name !== '__name__')
        .map((l) => `${l.name}="${l.value}"`)
        .join(',');
      for (let i = 0; i < s.t.length; i++)
        text += `${name}{${ls}} ${omValue(s.v[i]!)} ${s.t[i]! / 1000}\n`;
    }
  }
  return `${text}# EOF\n`;
}

const RANGE_FNS = [
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
];
const INSTANT_FNS = [
  'abs',
  'ceil',
  'floor',
  'exp',
  'ln',
  'log2',
  'log10',
  'sqrt',
  'sgn',
  'round',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'deg',
  'rad',
  'timestamp',
];
const DATE_FNS = [
  'minute',
  'hour',
  'day_of_week',
  'day_of_month',
  'day_of_year',
  'days_in_month',
  'month',
  'year',
];

function queries(): string[] {
  const q: string[] = [];
  for (const f of RANGE_FNS) {
    for (const sel of ['ctr_total', 'gauge', 'weird', 'sparse']) {
      q.push(`${f}(${sel}[1m])`, `${f}(${sel}[7m])`, `${f}(${sel}[16m] offset 3m)`);
    }
    q.push(`${f}(gauge[5m:45s])`, `${f}(ctr_total[10m] @ ${(T0 + 40 * 60_000) / 1000})`);
  }
  for (const x of ['-1', '0', '0.25', '0.5', '0.9', '1', '1.5'])
    q.push(`quantile_over_time(${x}, gauge[9m])`, `quantile_over_time(${x}, weird[6m])`);
  q.push('quantile_over_time(NaN, gauge[9m])');
  q.push(
    'absent_over_time(sparse[5m])',
    'absent_over_time(nonexistent{a="b"}[5m])',
    'absent_over_time(gauge[1m])',
  );
  for (const sel of ['gauge[10m]', 'ctr_total[15m] offset 5m', 'weird[5m]', 'unit[3m]']) {
    q.push(
      `predict_linear(${sel}, 600)`,
      `predict_linear(${sel}, -123.5)`,
      `holt_winters(${sel}, 0.3, 0.6)`,
    );
  }
  q.push(`predict_linear(ctr_total[10m] @ ${(T0 + 30 * 60_000) / 1000}, 3600)`);
  for (const f of INSTANT_FNS)
    for (const sel of ['gauge', 'weird', 'unit', 'ctr_total']) q.push(`${f}(${sel})`);
  q.push('timestamp(rate(ctr_total[5m]))', 'timestamp(gauge offset 2m)');
  for (const a of ['0.1', '3', '0.001', '-2', '0'])
    q.push(`round(unit, ${a})`, `round(gauge, ${a})`);
  q.push(
    'clamp(unit, -0.5, 0.5)',
    'clamp(weird, -1, 1)',
    'clamp(gauge, 5, -5)',
    'clamp(gauge, NaN, 1)',
    'clamp_min(weird, 0)',
    'clamp_max(weird, 0)',
  );
  for (const f of DATE_FNS) q.push(`${f}(epoch)`, `${f}()`, `${f}(weird)`);
  q.push(
    'time()',
    'pi()',
    'vector(time())',
    'scalar(gauge{room="k"})',
    'scalar(gauge)',
    'vector(pi())',
  );
  for (const qq of ['0', '0.25', '0.5', '0.9', '0.99', '1', '-0.5', '2', 'NaN']) {
    q.push(
      `histogram_quantile(${qq}, rate(lat_bucket[5m]))`,
      `histogram_quantile(${qq}, lat_bucket)`,
    );
  }
  q.push(
    'label_replace(lbl, "dst", "destination-value-$1", "src", "source-value-(.*)")',
    'label_replace(lbl, "dst", "$1-$2x${2}", "src", "(.*)-value-(.*)")',
    'label_replace(lbl, "new", "", "src", ".*")',
    'label_replace(lbl, "dst", "", "dst", ".*")',
    'label_replace(lbl, "dst", "$1|$2", "src", "(?:([a-z]+)-|([0-9]+))+")',
    'label_replace(lbl, "dst", "$1/$2/$3", "src", "((s)|[a-z-])*([0-9]*)")',
    'label_replace(lbl, "dst", "${1}x$2", "src", "(?i)(?:(O)|[a-z-])+(.*)")',
    'label_join(lbl, "dst", "-", "src", "n", "missing")',
    'label_join(lbl, "dst", ", ")',
    'absent(nonexistent{job="x", instance=~"y", a="1", a="2"})',
    'absent(gauge)',
    'absent(nonexistent)',
    'sort(gauge)',
    'sort_desc(weird)',
    'sort(ctr_total)',
    // Functions over subqueries, offsets and @ together.
    'rate(gauge[5m:17s] offset 3m)',
    'max_over_time(rate(ctr_total[1m])[10m:30s])',
    'quantile_over_time(0.5, rate(ctr_total[2m])[15m:1m])',
    'deriv(sum_over_time(gauge[2m])[10m:])',
    'predict_linear(avg_over_time(unit[3m])[20m:2m], 300)',
    'holt_winters(deriv(gauge[3m])[15m:1m], 0.2, 0.7)',
    'changes(round(unit)[30m:1m])',
    'resets(irate(ctr_total[2m])[20m:1m])',
    `last_over_time(ctr_total[5m] @ ${(T0 + 20 * 60_000) / 1000})`,
    'absent_over_time(rate(nonexistent[5m])[5m:])',
    'histogram_quantile(0.9, max_over_time(lat_bucket[10m]))',
    'timestamp(last_over_time(gauge[10m]))',
    'day_of_month(timestamp(gauge))',
    'label_replace(rate(ctr_total[5m]), "x", "$1", "inst", "(.)")',
    'histogram_count(lat_bucket)',
    'histogram_sum(rate(lat_bucket[5m]))',
    'histogram_fraction(0, 0.2, lat_bucket)',
    'sort(tie)',
    'sort_desc(tie)',
    'sort(-tie)',
    'sort_desc(tie{id=~"0.*"})',
    'sort(tie{id=~".*[02468]"} * 0 + 1)',
    'sort_desc(-tie)',
    'sort(tie{id=~"0[0-4].*"})',
  );
  return q;
}

interface Points {
  metric: Labels;
  t: number[];
  v: number[];
}

const parseVal = (s: string) => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

function fromApi(data: { resultType: string; result: unknown }): Points[] {
  const ms = (x: number) => Math.round(x * 1000);
  switch (data.resultType) {
    case 'scalar': {
      const [t, v] = data.result as [number, string];
      return [{ metric: [], t: [ms(t)], v: [parseVal(v)] }];
    }
    case 'vector':
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
        (s) => ({
          metric: labelsFrom(s.metric),
          t: [ms(s.value[0])],
          v: [parseVal(s.value[1])],
        }),
      );
    case 'matrix':
      return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map(
        (s) => ({
          metric: labelsFrom(s.metric),
          t: s.values.map((p) => ms(p[0])),
          v: s.values.map((p) => parseVal(p[1])),
        }),
      );
    default:
      throw new Error(`unexpected result type ${data.resultType}`);
  }
}

function fromEngine(v: QueryValue): Points[] {
  switch (v.type) {
    case 'scalar':
      return [{ metric: [], t: [v.t], v: [v.v] }];
    case 'vector':
      return v.samples.map((s) => ({ metric: s.metric, t: [s.t], v: [s.v] }));
    case 'matrix':
      return v.series.map((s) => ({ metric: s.metric, t: [...s.t], v: [...s.v] }));
    case 'string':
      throw new Error('string result');
  }
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Differences as text ('' when identical, bit for bit). */
function diff(want: Points[], got: Points[], ordered: boolean): string {
  const key = (p: Points) => labelsToString(p.metric);
  const sort = (x: Points[]) =>
    ordered ? x : [...x].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const w = sort(want);
  const g = sort(got);
  if (w.length !== g.length)
    return `series: want ${w.map(key).join(' ')}, got ${g.map(key).join(' ')}`;
  for (let i = 0; i < w.length; i++) {
    const a = w[i]!;
    const b = g[i]!;
    if (key(a) !== key(b)) return `series ${i}: want ${key(a)}, got ${key(b)}`;
    if (a.t.length !== b.t.length) return `${key(a)}: want ${a.t.length} points, got ${b.t.length}`;
    for (let j = 0; j < a.t.length; j++) {
      if (a.t[j] !== b.t[j] || !same(a.v[j]!, b.v[j]!))
        return `${key(a)} point ${j}: want ${a.v[j]}@${a.t[j]}, got ${b.v[j]}@${b.t[j]}`;
    }
  }
  return '';
}

describe('PromQL functions vs Prometheus 2.42, bit for bit', () => {
  let tmp: TmpDir;
  let prom: ChildProcess | undefined;
  let base = '';
  const storage = new MemoryStorage();
  const engine = new Engine(storage);
  const QUERIES = queries();

  beforeAll(async () => {
    tmp = await makeTmpDir('promql-functions-oracle-');
    const data = makeData();
    for (const s of data) storage.append(s.labels, s.t, s.v);
    const { db } = await promtoolCreateBlocks(toOpenMetrics(data), tmp.path);
    const cfg = join(tmp.path, 'prometheus.yml');
    await writeFile(cfg, 'global:\n  scrape_interval: 1h\n');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${db}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=100y',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('prometheus did not become ready');
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((res) => prom!.once('exit', res));
      prom.kill('SIGTERM');
      await exited;
    }
    await tmp?.remove();
  });

  async function prometheus(
    path: string,
    params: Record<string, string>,
  ): Promise<Points[] | string> {
    const res = await fetch(`${base}/api/v1/${path}`, {
      method: 'POST',
      body: new URLSearchParams(params),
    });
    const body = (await res.json()) as {
      status: string;
      data: { resultType: string; result: unknown };
      error?: string;
    };
    return body.status === 'success' ? fromApi(body.data) : `error: ${body.error}`;
  }

  async function ours(run: () => Promise<{ value: QueryValue }>): Promise<Points[] | string> {
    try {
      return fromEngine((await run()).value);
    } catch (err) {
      return `error: ${errorMessage(err)}`;
    }
  }

  let compared = 0;
  let nonEmpty = 0;

  function check(
    label: string,
    want: Points[] | string,
    got: Points[] | string,
    ordered: boolean,
    failures: string[],
  ): void {
    compared++;
    if (typeof want !== 'string' && want.some((p) => p.t.length > 0)) nonEmpty++;
    if (typeof want === 'string' || typeof got === 'string') {
      if (typeof want !== typeof got)
        failures.push(
          `${label}: want ${typeof want === 'string' ? want : 'a result'}, got ${typeof got === 'string' ? got : 'a result'}`,
        );
      return;
    }
    const d = diff(want, got, ordered);
    if (d) failures.push(`${label}: ${d}`);
  }

  it('instant queries', async () => {
    const failures: string[] = [];
    const times = [T0 + 4 * 60_000 + 3_000, T0 + 33 * 60_000, T0 + SPAN, T0 + SPAN + 6 * 60_000];
    for (const q of QUERIES) {
      const ordered = /^sort/.test(q);
      for (const t of times) {
        const want = await prometheus('query', { query: q, time: String(t / 1000) });
        const got = await ours(() => engine.instantQuery(q, t));
        check(`instant ${q} @${t}`, want, got, ordered, failures);
      }
    }
    expect(failures.slice(0, 40).join('\n')).toBe('');
  });

  it('range queries', async () => {
    const failures: string[] = [];
    const ranges: [number, number, number][] = [
      [T0, T0 + SPAN, 60_000],
      [T0 + 11_000, T0 + 50 * 60_000, 47_000],
    ];
    for (const q of QUERIES) {
      for (const [start, end, step] of ranges) {
        const want = await prometheus('query_range', {
          query: q,
          start: String(start / 1000),
          end: String(end / 1000),
          step: String(step / 1000),
        });
        const got = await ours(() => engine.rangeQuery(q, start, end, step));
        check(`range ${q} [${start},${end},${step}]`, want, got, false, failures);
      }
    }
    expect(failures.slice(0, 40).join('\n')).toBe('');
  });

  it('function errors: same message, same kind', async () => {
    const failures: string[] = [];
    const errQueries = [
      'label_replace(lbl, "a-b", "", "src", "")',
      'label_replace(lbl, "a", "", "src", "(")',
      'label_replace(nonexistent, "a", "", "src", "(.*")',
      'label_replace(lbl, "src", "", "", "")',
      'label_join(lbl, "a", "", "b-c")',
      'label_join(lbl, "1a", "", "src")',
      'holt_winters(gauge[5m], 2, 0.5)',
      'holt_winters(gauge[5m], 0.5, 0)',
      'holt_winters(gauge[5m], NaN, -Inf)',
      'holt_winters(gauge[5m], 0.5, 1e30)',
      'changes({__name__=~"gauge|weird"}[5m])',
    ];
    for (const q of errQueries) {
      const t = T0 + 30 * 60_000;
      const res = await fetch(`${base}/api/v1/query`, {
        method: 'POST',
        body: new URLSearchParams({ query: q, time: String(t / 1000) }),
      });
      const body = (await res.json()) as { status: string; errorType?: string; error?: string };
      let got = 'no error';
      try {
        await engine.instantQuery(q, t);
      } catch (err) {
        got = `${(err as { kind?: string }).kind}: ${errorMessage(err)}`;
      }
      const want = body.status === 'error' ? `${body.errorType}: ${body.error}` : 'no error';
      if (want !== got) failures.push(`${q}: want ${want}, got ${got}`);
    }
    expect(failures.join('\n')).toBe('');
  });

  it('compared real results', () => {
    expect(compared).toBe(QUERIES.length * 6);
    expect(nonEmpty).toBeGreaterThan(QUERIES.length * 4);
  });
});
