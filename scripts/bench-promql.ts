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
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../core/promql/engine/engine.ts';
import { MemoryStorage } from '../core/promql/storage/memory.ts';
import { promtoolCreateBlocks } from '../test/helpers/promtool.ts';
import { makeTmpDir } from '../test/helpers/tmp.ts';
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

async function main(): Promise<void> {
  const tmp = await makeTmpDir('bench-promql-');
  const { t, series } = makeData();
  const storage = new MemoryStorage();
  for (const s of series) storage.append(s.labels, t, s.v);
  console.log(
    `# ${series.length} series, ${series.length * t.length} samples, range 6h step ${STEP / 1000}s, median of ${RUNS}`,
  );
  const { db } = await promtoolCreateBlocks(openMetrics(t, series), tmp.path);
  const cfg = join(tmp.path, 'prometheus.yml');
  await writeFile(cfg, 'global:\n  scrape_interval: 1h\n');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const prom = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${db}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
    ],
    { stdio: 'ignore' },
  );
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
        const body = new URLSearchParams({
          query: q,
          start: String(start / 1000),
          end: String(end / 1000),
          step: String(STEP / 1000),
          stats: 'all',
        });
        const res = (await (
          await fetch(`${base}/api/v1/query_range`, { method: 'POST', body })
        ).json()) as {
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
      console.log(
        `${q.padEnd(64)} ${p.toFixed(1).padStart(9)}ms ${o.toFixed(1).padStart(7)}ms  ${(o / p).toFixed(2)}x`,
      );
      ratios.push(o / p);
    }
    console.log(
      `median ratio (ours / Prometheus) over ${ratios.length} queries: ${median(ratios).toFixed(2)}x`,
    );
  } finally {
    const exited = new Promise((r) => prom.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
    await tmp.remove();
  }
}

await main();
