/**
 * @module test/integration/promql/promql-oracle.test — differential test of the PromQL engine against the
 * real Prometheus 2.42 (/usr/bin/prometheus): the same data (built into blocks by promtool) is
 * queried over Prometheus's HTTP API and through our Engine over MemoryStorage, as instant queries
 * at several times and as range queries with aligned and unaligned steps. Values must agree to
 * test.go's relative 1e-6; label sets exactly; instant vectors in Prometheus's order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom, labelsToString, type Labels } from '../../../core/labels/labels.ts';
import { errorMessage } from '../../../core/errors.ts';
import { Engine } from '../../../core/promql/engine/engine.ts';
import type { QueryValue } from '../../../core/promql/engine/result.ts';
import { labelsKey } from '../../../core/promql/engine/series.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';
import { almostEqual } from '../../conformance/runner.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import {
  ORACLE_QUERIES,
  SPAN,
  T0,
  makeOracleData,
  toOpenMetrics,
} from '../../helpers/promql-oracle-data.ts';
import { fuzzQueries } from './promql-fuzz-queries.ts';

interface PromPoint {
  metric: Labels;
  t: number[];
  v: number[];
}

function parseVal(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Prometheus API JSON → comparable points (times in ms). */
function fromApi(data: { resultType: string; result: unknown }): {
  type: string;
  series: PromPoint[];
} {
  const toMs = (x: number) => Math.round(x * 1000);
  switch (data.resultType) {
    case 'scalar': {
      const [t, v] = data.result as [number, string];
      return { type: 'scalar', series: [{ metric: [], t: [toMs(t)], v: [parseVal(v)] }] };
    }
    case 'vector':
      return {
        type: 'vector',
        series: (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
          (s) => ({
            metric: labelsFrom(s.metric),
            t: [toMs(s.value[0])],
            v: [parseVal(s.value[1])],
          }),
        ),
      };
    case 'string': {
      const [t, v] = data.result as [number, string];
      return {
        type: 'string',
        series: [{ metric: labelsFrom({ value: v }), t: [toMs(t)], v: [0] }],
      };
    }
    case 'matrix':
      return {
        type: 'matrix',
        series: (
          data.result as { metric: Record<string, string>; values: [number, string][] }[]
        ).map((s) => ({
          metric: labelsFrom(s.metric),
          t: s.values.map((p) => toMs(p[0])),
          v: s.values.map((p) => parseVal(p[1])),
        })),
      };
    default:
      throw new Error(`unexpected result type ${data.resultType}`);
  }
}

function fromEngine(v: QueryValue): { type: string; series: PromPoint[] } {
  switch (v.type) {
    case 'scalar':
      return { type: 'scalar', series: [{ metric: [], t: [v.t], v: [v.v] }] };
    case 'vector':
      return {
        type: 'vector',
        series: v.samples.map((s) => ({ metric: s.metric, t: [s.t], v: [s.v] })),
      };
    case 'matrix':
      return {
        type: 'matrix',
        series: v.series.map((s) => ({ metric: s.metric, t: [...s.t], v: [...s.v] })),
      };
    case 'string':
      return { type: 'string', series: [{ metric: labelsFrom({ value: v.v }), t: [v.t], v: [0] }] };
  }
}

/** Differences as text ('' when equal). Vectors compare unordered unless `ordered`. */
function diff(
  want: { type: string; series: PromPoint[] },
  got: { type: string; series: PromPoint[] },
  ordered: boolean,
): string {
  if (want.type !== got.type) return `type: want ${want.type}, got ${got.type}`;
  const key = (p: PromPoint) => labelsKey(p.metric);
  const w = ordered
    ? want.series
    : [...want.series].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const g = ordered
    ? got.series
    : [...got.series].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const lines: string[] = [];
  if (w.length !== g.length) lines.push(`series count: want ${w.length}, got ${g.length}`);
  const n = Math.max(w.length, g.length);
  for (let i = 0; i < n && lines.length < 6; i++) {
    const a = w[i];
    const b = g[i];
    if (!a || !b || key(a) !== key(b)) {
      lines.push(
        `series ${i}: want ${a ? labelsToString(a.metric) : '-'}, got ${b ? labelsToString(b.metric) : '-'}`,
      );
      continue;
    }
    if (a.t.length !== b.t.length) {
      lines.push(`${labelsToString(a.metric)}: want ${a.t.length} points, got ${b.t.length}`);
      continue;
    }
    for (let j = 0; j < a.t.length; j++) {
      if (a.t[j] !== b.t[j] || !almostEqual(a.v[j]!, b.v[j]!)) {
        lines.push(
          `${labelsToString(a.metric)} point ${j}: want ${a.v[j]}@${a.t[j]}, got ${b.v[j]}@${b.t[j]}`,
        );
        break;
      }
    }
  }
  return lines.join('\n');
}

describe('PromQL engine vs Prometheus 2.42', () => {
  let tmp: TmpDir;
  let prom: PrometheusHandle | undefined;
  let base = '';
  const storage = new MemoryStorage();
  const engine = new Engine(storage);

  beforeAll(async () => {
    tmp = await makeTmpDir('promql-oracle-');
    const data = makeOracleData();
    for (const s of data) storage.append(s.labels, s.t, s.v);
    const { db } = await promtoolCreateBlocks(toOpenMetrics(data), tmp.path);
    prom = await startPrometheusOnTsdb(db, tmp.path);
    base = prom.url;
  });

  afterAll(async () => {
    await prom?.stop();
    await tmp?.remove();
  });

  async function promQuery(
    path: string,
    params: Record<string, string>,
  ): Promise<{ type: string; series: PromPoint[] } | string> {
    const res = await fetch(`${base}/api/v1/${path}`, {
      method: 'POST',
      body: new URLSearchParams(params),
    });
    const body = (await res.json()) as {
      status: string;
      data: { resultType: string; result: unknown };
      error?: string;
    };
    if (body.status !== 'success') return `error: ${body.error}`;
    return fromApi(body.data);
  }

  const instantTimes = [
    T0 + 30 * 60_000,
    T0 + 61 * 60_000 + 7_000,
    T0 + SPAN,
    T0 + SPAN + 4 * 60_000,
  ];
  const ranges: [number, number, number][] = [
    [T0, T0 + SPAN, 60_000],
    [T0 + 17_000, T0 + 40 * 60_000, 37_000],
    [T0 - 10 * 60_000, T0 + 30 * 60_000, 15_000],
    [T0 + SPAN - 20 * 60_000, T0 + SPAN + 20 * 60_000, 300_000],
  ];

  /** Comparisons where Prometheus returned a non-empty result, so the test cannot pass vacuously. */
  let nonEmpty = 0;
  const countNonEmpty = (want: { type: string; series: PromPoint[] } | string) => {
    if (typeof want !== 'string' && want.series.some((s) => s.t.length > 0)) nonEmpty++;
  };

  it('agrees on instant queries', async () => {
    const failures: string[] = [];
    for (const q of ORACLE_QUERIES) {
      // Prometheus does not sort instant vectors; its order is deterministic except where it
      // iterates a Go map (histogram_quantile's buckets, a subquery's inner range result), and
      // ours must be the same.
      const ordered = !q.includes('histogram_quantile') && !/\[\w+:\w*\]/.test(q);
      for (const t of instantTimes) {
        const want = await promQuery('query', { query: q, time: String(t / 1000) });
        countNonEmpty(want);
        let got: { type: string; series: PromPoint[] } | string;
        try {
          got = fromEngine((await engine.instantQuery(q, t)).value);
        } catch (err) {
          got = `error: ${errorMessage(err)}`;
        }
        const d =
          typeof want === 'string' || typeof got === 'string'
            ? want === got || (typeof want === 'string' && typeof got === 'string')
              ? ''
              : `want ${typeof want === 'string' ? want : want.type}, got ${typeof got === 'string' ? got : got.type}`
            : diff(want, got, ordered);
        if (d) failures.push(`instant ${q} @${t}:\n  ${d.replace(/\n/g, '\n  ')}`);
      }
    }
    expect(failures.join('\n')).toBe('');
  });

  it('agrees on range queries', async () => {
    const failures: string[] = [];
    for (const q of ORACLE_QUERIES) {
      for (const [start, end, step] of ranges) {
        const want = await promQuery('query_range', {
          query: q,
          start: String(start / 1000),
          end: String(end / 1000),
          step: String(step / 1000),
        });
        countNonEmpty(want);
        let got: { type: string; series: PromPoint[] } | string;
        try {
          got = fromEngine((await engine.rangeQuery(q, start, end, step)).value);
        } catch (err) {
          got = `error: ${errorMessage(err)}`;
        }
        const d =
          typeof want === 'string' || typeof got === 'string'
            ? want === got || (typeof want === 'string' && typeof got === 'string')
              ? ''
              : `want ${typeof want === 'string' ? want : want.type}, got ${typeof got === 'string' ? got : got.type}`
            : diff(want, got, false);
        if (d)
          failures.push(`range ${q} [${start},${end},${step}]:\n  ${d.replace(/\n/g, '\n  ')}`);
      }
    }
    expect(failures.join('\n')).toBe('');
  });

  it('agrees on random queries (seeded)', async () => {
    const failures: string[] = [];
    let agreedOnData = 0;
    const seed = Number(process.env.PROMQL_FUZZ_SEED ?? 7);
    for (const q of fuzzQueries(seed, Number(process.env.PROMQL_FUZZ_N ?? 150))) {
      const runs: [string, () => Promise<QueryValue>, Record<string, string>][] = [
        [
          'query',
          () => engine.instantQuery(q, T0 + 47 * 60_000).then((r) => r.value),
          { query: q, time: String((T0 + 47 * 60_000) / 1000) },
        ],
        [
          'query_range',
          () => engine.rangeQuery(q, T0 + 60_000, T0 + 90 * 60_000, 150_000).then((r) => r.value),
          {
            query: q,
            start: String((T0 + 60_000) / 1000),
            end: String((T0 + 90 * 60_000) / 1000),
            step: '150',
          },
        ],
      ];
      for (const [path, ours, params] of runs) {
        const want = await promQuery(path, params);
        let got: { type: string; series: PromPoint[] } | string;
        try {
          got = fromEngine(await ours());
        } catch (err) {
          got = `error: ${errorMessage(err)}`;
        }
        if (typeof want === 'string' || typeof got === 'string') {
          if (typeof want !== typeof got)
            failures.push(
              `${path} ${q}:\n  want ${typeof want === 'string' ? want : 'a result'}, got ${typeof got === 'string' ? got : 'a result'}`,
            );
          continue;
        }
        const d = diff(want, got, false);
        if (d) failures.push(`${path} ${q}:\n  ${d.replace(/\n/g, '\n  ')}`);
        else if (want.series.length > 0) agreedOnData++;
      }
    }
    expect(failures.join('\n')).toBe('');
    expect(agreedOnData).toBeGreaterThan(50);
  });

  it('compared real results, not errors or empty answers', () => {
    // 4 instant times and 4 ranges per query; a few are legitimately empty (absent, far offsets).
    expect(nonEmpty).toBeGreaterThan(ORACLE_QUERIES.length * 6);
  });
});
