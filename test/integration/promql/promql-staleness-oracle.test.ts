/**
 * @module test/integration/promql/promql-staleness-oracle.test — staleness against Prometheus 2.42 with
 * real stale markers: Prometheus scrapes itself every 200 ms, the target is then removed (every
 * series gets a stale marker), and a snapshot's blocks are read with core/tsdb into our
 * MemoryStorage. Queries just before, at and after the markers, instant and range with unaligned
 * steps, must agree with the live Prometheus on the same (now frozen) data.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom, labelsToString, type Labels } from '../../../core/labels/labels.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { isStaleNaN } from '../../../core/chunkenc/stale.ts';
import { errorMessage } from '../../../core/errors.ts';
import { Engine } from '../../../core/promql/engine/engine.ts';
import type { QueryValue } from '../../../core/promql/engine/result.ts';
import { labelsKey } from '../../../core/promql/engine/series.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';
import { Block } from '../../../core/tsdb/block-reader.ts';
import { decodeSeriesSamples } from '../../../core/tsdb/series-samples.ts';
import { listBlockDirs } from '../../../sidecar-agent/cli/tsdb-dump.ts';
import { FileBlockDir } from '../../../sidecar-agent/tsdb/file-source.ts';
import { almostEqual } from '../../conformance/runner.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

interface Row {
  key: string;
  metric: Labels;
  t: number[];
  v: number[];
}

function parseVal(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function rowsFromApi(data: { resultType: string; result: unknown }): Row[] {
  const ms = (x: number) => Math.round(x * 1000);
  if (data.resultType === 'scalar') {
    const [t, v] = data.result as [number, string];
    return [{ key: '', metric: [], t: [ms(t)], v: [parseVal(v)] }];
  }
  if (data.resultType === 'vector') {
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
      (s) => {
        const metric = labelsFrom(s.metric);
        return { key: labelsKey(metric), metric, t: [ms(s.value[0])], v: [parseVal(s.value[1])] };
      },
    );
  }
  return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map(
    (s) => {
      const metric = labelsFrom(s.metric);
      return {
        key: labelsKey(metric),
        metric,
        t: s.values.map((p) => ms(p[0])),
        v: s.values.map((p) => parseVal(p[1])),
      };
    },
  );
}

function rowsFromEngine(v: QueryValue): Row[] {
  if (v.type === 'scalar') return [{ key: '', metric: [], t: [v.t], v: [v.v] }];
  if (v.type === 'vector')
    return v.samples.map((s) => ({
      key: labelsKey(s.metric),
      metric: s.metric,
      t: [s.t],
      v: [s.v],
    }));
  if (v.type === 'matrix')
    return v.series.map((s) => ({
      key: labelsKey(s.metric),
      metric: s.metric,
      t: [...s.t],
      v: [...s.v],
    }));
  return [];
}

function diffRows(want: Row[], got: Row[]): string {
  const w = [...want].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const g = [...got].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (w.length !== g.length) return `series count: want ${w.length}, got ${g.length}`;
  for (let i = 0; i < w.length; i++) {
    const a = w[i]!;
    const b = g[i]!;
    if (a.key !== b.key)
      return `series ${i}: want ${labelsToString(a.metric)}, got ${labelsToString(b.metric)}`;
    if (a.t.length !== b.t.length)
      return `${labelsToString(a.metric)}: want ${a.t.length} points, got ${b.t.length}`;
    for (let j = 0; j < a.t.length; j++) {
      if (a.t[j] !== b.t[j] || !almostEqual(a.v[j]!, b.v[j]!)) {
        return `${labelsToString(a.metric)} point ${j}: want ${a.v[j]}@${a.t[j]}, got ${b.v[j]}@${b.t[j]}`;
      }
    }
  }
  return '';
}

let tmp: TmpDir;
let prom: PrometheusHandle | undefined;
const storage = new MemoryStorage();
let firstT = 0;
let staleT = 0;
let staleMarkers = 0;
let target = '';

beforeAll(async () => {
  tmp = await makeTmpDir('promql-stale-');
  const data = join(tmp.path, 'data');
  await mkdir(data);
  prom = await startPrometheusOnTsdb(data, tmp.path);
  target = new URL(prom.url).host;
  const scrape = (targets: string) =>
    `global: {scrape_interval: 200ms}\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: [${targets}]}]\n`;
  await prom.reload(scrape(`'${target}'`));
  // Targets sync every 5 s, so scraping starts a few seconds after the reload.
  await new Promise((r) => setTimeout(r, 12_000));
  // Swap the target inside the same job: a stopped pool writes no stale markers, but a target
  // that leaves a running pool gets them (~2 intervals later). The new target never answers.
  await prom.reload(scrape(`'127.0.0.1:9'`));
  const selfUp = encodeURIComponent(`up{instance="${target}"}`);
  for (let i = 0; i < 300; i++) {
    const r = (await (await fetch(`${prom.url}/api/v1/query?query=${selfUp}`)).json()) as {
      data: { result: unknown[] };
    };
    if (r.data.result.length === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await prom.reload('global: {}\n');
  await new Promise((r) => setTimeout(r, 500));
  const res = await fetch(`${prom.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
  const snapshot = join(
    data,
    'snapshots',
    ((await res.json()) as { data: { name: string } }).data.name,
  );
  for (const id of await listBlockDirs(snapshot)) {
    const dir = new FileBlockDir(join(snapshot, id));
    const block = await Block.open(dir, { id });
    for await (const s of block.select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity)) {
      const smp = decodeSeriesSamples(s, -Infinity, Infinity, id);
      const t = smp.t.slice(0, smp.length);
      const v = smp.v.slice(0, smp.length);
      storage.append(s.labels, t, v);
      const name = s.labels.find((l) => l.name === '__name__')?.value;
      if (name === 'up' && s.labels.some((l) => l.value === target)) {
        firstT = t[0]!;
        staleT = t[t.length - 1]!;
      }
      for (let i = 0; i < v.length; i++) if (isStaleNaN(v, i)) staleMarkers++;
    }
    await dir.close();
  }
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await tmp?.remove();
});

const QUERIES = [
  'up',
  'prometheus_http_requests_total',
  'count_over_time(up[1s])',
  'count_over_time(prometheus_build_info[3s])',
  'last_over_time(up[2s])',
  'rate(prometheus_http_requests_total[2s])',
  'sum(up)',
  'up offset 1s',
  'timestamp(up)',
  'absent(up)',
  'present_over_time(up[500ms])',
  'max_over_time(up[1s:100ms])',
];

describe('staleness vs Prometheus 2.42 (real stale markers)', () => {
  it('read stale markers from the snapshot', () => {
    expect(staleMarkers).toBeGreaterThan(50);
    expect(isStaleNaN(Float64Array.of(0), 0)).toBe(false);
    expect(staleT).toBeGreaterThan(firstT + 5_000);
  });

  it('agrees around the stale markers', async () => {
    const engine = new Engine(storage);
    const failures: string[] = [];
    let nonEmpty = 0;
    const instants = [
      staleT - 500,
      staleT - 1,
      staleT,
      staleT + 1,
      staleT + 150,
      staleT + 2_000,
      staleT + 4 * 60_000,
      staleT + 6 * 60_000,
    ];
    const ranges: [number, number, number][] = [
      [firstT, staleT + 6 * 60_000, 1_000],
      [staleT - 3_000, staleT + 3_000, 77],
      [firstT + 123, staleT + 30_000, 350],
    ];
    for (const q of QUERIES) {
      const runs: [string, Record<string, string>, () => Promise<QueryValue>][] = [
        ...instants.map((t): [string, Record<string, string>, () => Promise<QueryValue>] => [
          'query',
          { query: q, time: String(t / 1000) },
          () => engine.instantQuery(q, t).then((r) => r.value),
        ]),
        ...ranges.map(([s, e, st]): [string, Record<string, string>, () => Promise<QueryValue>] => [
          'query_range',
          { query: q, start: String(s / 1000), end: String(e / 1000), step: String(st / 1000) },
          () => engine.rangeQuery(q, s, e, st).then((r) => r.value),
        ]),
      ];
      for (const [path, params, run] of runs) {
        const res = (await (
          await fetch(`${prom!.url}/api/v1/${path}`, {
            method: 'POST',
            body: new URLSearchParams(params),
          })
        ).json()) as {
          status: string;
          error?: string;
          data: { resultType: string; result: unknown };
        };
        let got: Row[] | string;
        try {
          got = rowsFromEngine(await run());
        } catch (err) {
          got = `error: ${errorMessage(err)}`;
        }
        if (res.status !== 'success' || typeof got === 'string') {
          if ((res.status !== 'success') !== (typeof got === 'string'))
            failures.push(
              `${path} ${q} ${JSON.stringify(params)}: prometheus ${res.error ?? 'ok'}, ours ${typeof got === 'string' ? got : 'ok'}`,
            );
          continue;
        }
        const want = rowsFromApi(res.data);
        if (want.length > 0) nonEmpty++;
        const d = diffRows(want, got);
        if (d) failures.push(`${path} ${q} ${JSON.stringify(params)}:\n  ${d}`);
      }
    }
    expect(failures.join('\n')).toBe('');
    expect(nonEmpty).toBeGreaterThan(QUERIES.length * 4);
  });
});
