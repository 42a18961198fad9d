/**
 * `npm run bench:query` — the querier (the Worker in workerd, blocks in its bucket) against
 * Prometheus 2.42 and VictoriaMetrics (Debian `victoria-metrics`), all three holding the same data,
 * same run: the shared dashboard queries as 6h range queries over HTTP.
 * 1. Default caches: cold (first run) and warm (median of BENCH_RUNS), per query.
 * 2. (a) Caches off on every side (ours `cache=false`, VictoriaMetrics `nocache=1`; Prometheus
 *    has no results cache): median of BENCH_RUNS per query, ratios.
 * 3. (b) Grafana's refresh pattern with every side's default caches: all queries re-run
 *    BENCH_REFRESHES times (10) with the window moved by 30 s each time (start and end aligned
 *    down to the step, as Grafana's Prometheus data source sends them); the time of each refresh
 *    (queries one after another), median per side, ratios; then each query's median time over the
 *    refreshes per side, to show where the refresh time goes.
 * BENCH_PARTS picks the parts (comma-separated `warm`, `a`, `b`; default all three).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { R2Bucket, type R2BucketLike } from '../core/objstore/r2.ts';
import { isUlid } from '../core/tsdb/meta.ts';
import { uploadBlock } from '../sidecar-agent/objstore/upload-block.ts';
import { promtoolCreateBlocks } from '../test/helpers/promtool.ts';
import { makeTmpDir } from '../test/helpers/tmp.ts';
import { startWorker } from '../test/helpers/worker.ts';
import {
  QUERIES,
  RUNS,
  SPAN,
  STEP,
  T0,
  freePort,
  makeData,
  median,
  openMetrics,
} from './lib/bench-data.ts';

async function waitReady(url: string, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${url}`);
}

const REFRESHES = Number(process.env.BENCH_REFRESHES ?? 10);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'warm,a,b').split(',').map((x) => x.trim()));
/**
 * The client's Accept-Encoding, the same for every side (BENCH_ACCEPT_ENCODING, e.g. `identity`);
 * unset, fetch's own (`gzip, deflate`), as Grafana's Go client also asks for gzip. Every side then
 * compresses its answers: Prometheus and VictoriaMetrics in their own process, ours in workerd,
 * where Miniflare stands in for the compression Cloudflare's edge does outside the Worker.
 */
const ACCEPT_ENCODING = process.env.BENCH_ACCEPT_ENCODING;
/** The Content-Encoding each side answered with (base URL → encoding), printed at the end. */
const encodings = new Map<string, string>();

/** Grafana's Prometheus data source aligns a range query's start and end down to the step. */
const alignToStep = (ms: number): number => Math.floor(ms / STEP) * STEP;

async function rangeQuery(
  base: string,
  query: string,
  shift = 0,
  extra: Record<string, string> = {},
): Promise<number> {
  const body = new URLSearchParams({
    query,
    start: String(alignToStep(T0 + shift) / 1000),
    end: String(alignToStep(T0 + SPAN + shift) / 1000),
    step: String(STEP / 1000),
    ...extra,
  });
  const t = performance.now();
  const headers =
    ACCEPT_ENCODING === undefined ? undefined : { 'accept-encoding': ACCEPT_ENCODING };
  const res = await fetch(`${base}/api/v1/query_range`, { method: 'POST', body, headers });
  encodings.set(base, res.headers.get('content-encoding') ?? 'none');
  const json = (await res.json()) as { status: string; error?: string };
  const ms = performance.now() - t;
  if (json.status !== 'success') throw new Error(`${base}: ${query}: ${json.error}`);
  return ms;
}

async function main(): Promise<void> {
  const tmp = await makeTmpDir('bench-query-');
  const children: ChildProcess[] = [];
  const { t, series } = makeData();
  const { db } = await promtoolCreateBlocks(openMetrics(t, series), tmp.path);
  const worker = await startWorker({ vars: { STORE_TOKEN: 'bench' } });
  try {
    console.log(
      `# ${series.length} series, ${series.length * t.length} samples; range 6h step ${STEP / 1000}s; warm = median of ${RUNS}; accept-encoding ${ACCEPT_ENCODING ?? "fetch's default (gzip, deflate)"}`,
    );
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const b of (await readdir(db)).filter(isUlid))
      await uploadBlock(bucket, join(db, b), { labels: { replica: '0' }, source: 'sidecar' });

    const promPort = await freePort();
    const cfg = join(tmp.path, 'prometheus.yml');
    await writeFile(cfg, 'global:\n  scrape_interval: 1h\n');
    children.push(
      spawn(
        '/usr/bin/prometheus',
        [
          `--config.file=${cfg}`,
          `--storage.tsdb.path=${db}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--storage.tsdb.retention.time=100y',
        ],
        { stdio: 'ignore' },
      ),
    );
    const prom = `http://127.0.0.1:${promPort}`;

    const vmPort = await freePort();
    const vmDir = join(tmp.path, 'vm');
    await mkdir(vmDir);
    children.push(
      spawn(
        'victoria-metrics',
        [
          `-storageDataPath=${vmDir}`,
          `-httpListenAddr=127.0.0.1:${vmPort}`,
          '-retentionPeriod=100y',
          '-search.latencyOffset=0s',
        ],
        { stdio: 'ignore' },
      ),
    );
    const vm = `http://127.0.0.1:${vmPort}`;
    await Promise.all([
      waitReady(`${prom}/-/ready`, 'Prometheus'),
      waitReady(`${vm}/health`, 'VictoriaMetrics'),
    ]);
    // VictoriaMetrics gets the same samples through its Prometheus text import (ms timestamps).
    for (const s of series) {
      const name = s.labels.find((l) => l.name === '__name__')!.value;
      const ls = s.labels
        .filter((l) => l.name !== '__name__')
        .map((l) => `${l.name}="${l.value}"`)
        .join(',');
      let text = '';
      for (let i = 0; i < t.length; i++) text += `${name}{${ls}} ${s.v[i]} ${t[i]}\n`;
      const res = await fetch(`${vm}/api/v1/import/prometheus`, { method: 'POST', body: text });
      if (!res.ok) throw new Error(`VictoriaMetrics import: HTTP ${res.status}`);
    }
    await fetch(`${vm}/internal/force_flush`);
    const ours = worker.url.toString().replace(/\/$/, '');

    if (PARTS.has('warm')) {
      console.log(
        `${'query'.padEnd(70)} ${'cold ours/prom/vm ms'.padStart(24)} ${'warm ours/prom/vm ms'.padStart(24)}  warm/prom  warm/vm`,
      );
      const vsProm: number[] = [];
      const vsVm: number[] = [];
      const coldVsProm: number[] = [];
      for (const q of QUERIES) {
        const cold = [
          await rangeQuery(ours, q),
          await rangeQuery(prom, q),
          await rangeQuery(vm, q),
        ];
        const warm: number[][] = [[], [], []];
        for (let r = 0; r < RUNS; r++) {
          warm[0]!.push(await rangeQuery(ours, q));
          warm[1]!.push(await rangeQuery(prom, q));
          warm[2]!.push(await rangeQuery(vm, q));
        }
        const w = warm.map(median);
        vsProm.push(w[0]! / w[1]!);
        vsVm.push(w[0]! / w[2]!);
        coldVsProm.push(cold[0]! / cold[1]!);
        const f = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join('/');
        console.log(
          `${q.slice(0, 70).padEnd(70)} ${f(cold).padStart(24)} ${f(w).padStart(24)}  ${(w[0]! / w[1]!).toFixed(2).padStart(8)}x ${(w[0]! / w[2]!).toFixed(2).padStart(7)}x`,
        );
      }
      console.log(
        `median warm ratio ours/Prometheus: ${median(vsProm).toFixed(2)}x; ours/VictoriaMetrics: ${median(vsVm).toFixed(2)}x; cold ours/Prometheus: ${median(coldVsProm).toFixed(2)}x (${QUERIES.length} queries)`,
      );
    }

    if (PARTS.has('a')) {
      console.log(`\n# (a) caches off on every side: median of ${RUNS} runs`);
      console.log(`${'query'.padEnd(70)} ${'ours/prom/vm ms'.padStart(20)}  ours/prom  ours/vm`);
      const offProm: number[] = [];
      const offVm: number[] = [];
      for (const q of QUERIES) {
        const runs: number[][] = [[], [], []];
        for (let r = 0; r < RUNS; r++) {
          runs[0]!.push(await rangeQuery(ours, q, 0, { cache: 'false' }));
          runs[1]!.push(await rangeQuery(prom, q));
          runs[2]!.push(await rangeQuery(vm, q, 0, { nocache: '1' }));
        }
        const m = runs.map(median);
        offProm.push(m[0]! / m[1]!);
        offVm.push(m[0]! / m[2]!);
        console.log(
          `${q.slice(0, 70).padEnd(70)} ${m
            .map((x) => x.toFixed(0))
            .join('/')
            .padStart(
              20,
            )}  ${(m[0]! / m[1]!).toFixed(2).padStart(8)}x ${(m[0]! / m[2]!).toFixed(2).padStart(7)}x`,
        );
      }
      console.log(
        `(a) median ratio, caches off: ours/Prometheus ${median(offProm).toFixed(2)}x (goal <= 0.5x); ours/VictoriaMetrics ${median(offVm).toFixed(2)}x (goal <= 1.5x)`,
      );
    }

    if (PARTS.has('b')) {
      console.log(
        `\n# (b) Grafana refresh: ${QUERIES.length} queries, ${REFRESHES} refreshes, window moved 30 s each, default caches`,
      );
      const perRefresh: number[][] = [[], [], []];
      // Per side, per query: its time in each refresh.
      const perQuery = [ours, prom, vm].map(() => QUERIES.map((): number[] => []));
      for (let k = 1; k <= REFRESHES; k++) {
        const shift = k * 30_000;
        for (const [i, base] of [ours, prom, vm].entries()) {
          let total = 0;
          for (const [j, q] of QUERIES.entries()) {
            const ms = await rangeQuery(base, q, shift);
            perQuery[i]![j]!.push(ms);
            total += ms;
          }
          perRefresh[i]!.push(total);
        }
        console.log(
          `refresh ${String(k).padStart(2)}: ours ${perRefresh[0]!.at(-1)!.toFixed(0)} ms, Prometheus ${perRefresh[1]!.at(-1)!.toFixed(0)} ms, VictoriaMetrics ${perRefresh[2]!.at(-1)!.toFixed(0)} ms`,
        );
      }
      const [rOurs, rProm, rVm] = perRefresh.map(median) as [number, number, number];
      console.log(
        `(b) median refresh: ours ${rOurs.toFixed(0)} ms, Prometheus ${rProm.toFixed(0)} ms, VictoriaMetrics ${rVm.toFixed(0)} ms; ours/VictoriaMetrics ${(rOurs / rVm).toFixed(2)}x (goal <= 1.0x), ours/Prometheus ${(rOurs / rProm).toFixed(2)}x`,
      );
      console.log(
        `\n${'query (median over the refreshes)'.padEnd(70)} ${'ours/prom/vm ms'.padStart(20)}  ours/vm`,
      );
      for (const [j, q] of QUERIES.entries()) {
        const m = perQuery.map((side) => median(side[j]!));
        console.log(
          `${q.slice(0, 70).padEnd(70)} ${m
            .map((x) => x.toFixed(0))
            .join('/')
            .padStart(20)}  ${(m[0]! / m[2]!).toFixed(2).padStart(6)}x`,
        );
      }
    }
    console.log(
      `content-encoding: ours ${encodings.get(ours)}, Prometheus ${encodings.get(prom)}, VictoriaMetrics ${encodings.get(vm)}`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
      ),
    );
    await worker.stop();
    await tmp.remove();
  }
}

await main();
