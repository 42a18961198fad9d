/**
 * @module scripts/bench-deep-queries — issue #18 finding 4: deep and long PromQL queries through
 * the real Worker (workerd via Miniflare) against a real Prometheus 2.42 (empty TSDB), both over
 * HTTP `/api/v1/query` (wall time per request: parse + evaluation + JSON). Each shape runs at 10k,
 * 20k and 40k terms/levels so the growth shows (linear: ~2x per step); nested calls at 5k-20k
 * (the default QUERY_MAX_LENGTH), selector chains at 1k-4k (every selector is a select against
 * the stores). Prints medians of BENCH_RUNS and the ratio.
 * The answers of both are compared too. The machine may be shared: read ratios, not absolutes.
 * Prometheus itself is superlinear on some shapes (its parser and printer): it gets
 * BENCH_PROM_TIMEOUT (default 30s) per query, one run once a query took over 5 s, and larger
 * sizes of a shape are skipped once it timed out.
 *
 *   npx tsx scripts/bench-deep-queries.ts         # BENCH_RUNS=3
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTmpDir } from '../test/helpers/tmp.ts';
import { startWorker } from '../test/helpers/worker.ts';
import { freePort, median } from './lib/bench-data.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = [10_000, 20_000, 40_000];
const SELECTOR_SIZES = [1_000, 2_000, 4_000];
/** `sum(`/`abs(` take 5 bytes a level: 40k levels would pass the default 128 KiB QUERY_MAX_LENGTH. */
const CALL_SIZES = [5_000, 10_000, 20_000];

const wrap = (n: number, open: string, inner: string, close: string): string =>
  open.repeat(n) + inner + close.repeat(n);
const chain = (n: number, term: string, op = '+'): string => Array(n).fill(term).join(op);

const SHAPES: readonly (readonly [string, readonly number[], (n: number) => string])[] = [
  ['parentheses around 1', SIZES, (n) => wrap(n, '(', '1', ')')],
  ['`1+1+…`', SIZES, (n) => chain(n, '1')],
  ['nested sum(vector(1))', CALL_SIZES, (n) => wrap(n, 'sum(', 'vector(1)', ')')],
  ['nested abs(vector(1))', CALL_SIZES, (n) => wrap(n, 'abs(', 'vector(1)', ')')],
  ['`-` x n then 1', SIZES, (n) => '-'.repeat(n) + '1'],
  ['`-` x n then vector(1)', SIZES, (n) => '-'.repeat(n) + 'vector(1)'],
  ['`up+up+…` (selectors)', SELECTOR_SIZES, (n) => chain(n, 'up')],
];

const PROM_TIMEOUT = process.env.BENCH_PROM_TIMEOUT ?? '30s';

async function ask(
  base: string,
  query: string,
  timeout?: string,
): Promise<{ ms: number; body?: string; error?: string }> {
  const began = performance.now();
  const params = new URLSearchParams({ query, time: '1000' });
  if (timeout) params.set('timeout', timeout);
  const r = await fetch(new URL('/api/v1/query', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params,
  });
  const json = (await r.json()) as { status: string; data?: unknown; error?: string };
  const ms = performance.now() - began;
  if (json.status !== 'success') return { ms, error: json.error ?? String(r.status) };
  return { ms, body: JSON.stringify(json.data) };
}

async function main(): Promise<void> {
  const tmp = await makeTmpDir('bench-deep-');
  const cfg = join(tmp.path, 'prometheus.yml');
  await writeFile(cfg, 'global:\n  scrape_interval: 1h\n');
  const port = await freePort();
  const prom = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${join(tmp.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const promBase = `http://127.0.0.1:${port}`;
  const worker = await startWorker();
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${promBase}/-/ready`)).ok) break;
      } catch {
        // starting
      }
      if (i > 300) throw new Error('prometheus did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`# median of ${RUNS} runs, wall time per /api/v1/query over HTTP (ms)`);
    console.log('shape | n | thanos-edge (workerd) | prometheus 2.42 | ratio');
    for (const [name, sizes, make] of SHAPES) {
      let promGaveUp = false;
      for (const n of sizes) {
        const q = make(n);
        const ours: number[] = [];
        const theirs: number[] = [];
        let same = true;
        let promError: string | undefined;
        for (let r = 0; r < RUNS; r++) {
          const a = await ask(worker.url.href, q);
          if (a.error !== undefined) throw new Error(`thanos-edge: ${a.error}`);
          ours.push(a.ms);
          if (promGaveUp || (theirs.length > 0 && theirs[0]! > 5_000)) continue;
          const b = await ask(promBase, q, PROM_TIMEOUT);
          if (b.error !== undefined) {
            promError = b.error;
            promGaveUp = true;
            continue;
          }
          theirs.push(b.ms);
          same &&= a.body === b.body;
        }
        const o = median(ours);
        const p = theirs.length > 0 ? median(theirs) : undefined;
        const promText =
          p !== undefined
            ? p.toFixed(0)
            : promError !== undefined
              ? `error: ${promError}`
              : 'skipped (timed out at a smaller n)';
        const ratio = p !== undefined ? (o / p).toFixed(3) : '-';
        console.log(
          `${name} | ${n} | ${o.toFixed(0)} | ${promText} | ${ratio}${same ? '' : ' (ANSWERS DIFFER)'}`,
        );
      }
    }
  } finally {
    await worker.stop();
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    await tmp.remove();
  }
}

await main();
