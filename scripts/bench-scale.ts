/**
 * @module scripts/bench-scale — the store gateway at a user's scale: N days of 2h blocks from one
 * Prometheus (~360 series at 30s) in s3rver, the Worker with its store shards (Durable Objects,
 * in an isolate apart from the querier's) against Prometheus 2.42 over the very same blocks, same
 * run, for long-range dashboard queries.
 *
 * Per query: cold latency (a fresh workerd: empty caches, fresh isolates; Prometheus restarted),
 * warm latency (median of BENCH_RUNS repeats right after the cold run), steady latency (median of
 * BENCH_STEADY_RUNS more: the JIT settled, as in an isolate that has served many queries; Go has
 * no JIT, so Prometheus's barely moves), object-store requests and bytes (from the query's
 * `stats=all`), and the peak live V8 heap of the querier's isolate and of the shards' isolate
 * (sampled after a GC each time, in a second cold run that is not timed). The
 * first query of a size also pays for building the blocks' index headers (reported apart). Last,
 * per query, s3rver alone serving as many requests of the same size (s3rverFloor): the floor
 * under any cold time in this setup.
 *
 * Env: BENCH_DAYS (default 14; a list such as `7,14,28` shows how cost grows), BENCH_SHARDS (4),
 * BENCH_RUNS (3), BENCH_STEADY_RUNS (7), BENCH_COPIES (2: ~360 series), BENCH_STEP (seconds,
 * default 3600). BENCH_COMPACT=1: the bucket as a Thanos user has it, `thanos-edge compact` (the
 * CLI, downsampling off, inputs deleted at once) run over the 2h blocks first; Prometheus then
 * reads the very blocks the compactor left (downloaded), so both sides still answer from the same
 * data.
 * Needs Debian's `prometheus` (2.42). Prints medians and ratios; absolute times on a shared
 * 2-core machine are noise, ratios in one run are not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BLOCK_CONCURRENCY } from '../core/block/bucket-store.ts';
import { forEachLimit } from '../core/block/concurrency.ts';
import { listAll, type Bucket } from '../core/objstore/bucket.ts';
import { downloadBlocks, liveMetas } from '../test/helpers/compact-data.ts';
import { runCompact } from '../test/helpers/compact-process.ts';
import { connectIsolate } from '../test/helpers/inspector.ts';
import { freePort } from '../test/helpers/ports.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../test/helpers/prometheus-tsdb.ts';
import { startS3rver, type S3rverHandle } from '../test/helpers/s3rver.ts';
import { s3rverBucket, s3rverWorkerVars, stopSettled } from './lib/s3rver-worker.ts';
import { QUERIER_WORKER, SHARDS_WORKER, startWorker } from '../test/helpers/worker.ts';
import {
  SCALE_QUERIES,
  uploadScaleBlocks,
  writeScaleBlocks,
  type ScaleData,
} from './lib/scale-data.ts';

const DAYS = (process.env.BENCH_DAYS ?? '14').split(',').map(Number);
const SHARDS = process.env.BENCH_SHARDS ?? '4';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STEADY_RUNS = Number(process.env.BENCH_STEADY_RUNS ?? 7);
const COPIES = Number(process.env.BENCH_COPIES ?? 2);
const STEP = Number(process.env.BENCH_STEP ?? 3600);
const COMPACT = process.env.BENCH_COMPACT === '1';
const MB = 1024 * 1024;

interface OurRun {
  ms: number;
  requests: number;
  bytes: number;
  querierPeak: number;
  shardsPeak: number;
  body: string;
}

interface Row {
  query: string;
  promCold: number;
  promWarm: number;
  promSteady: number;
  cold: OurRun;
  warm: number;
  steady: number;
  /** s3rver alone serving the cold run's requests (s3rverFloor). */
  floor: number;
  same: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[s.length >> 1]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
const mb = (b: number): string => `${(b / MB).toFixed(1)} MB`;

function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
  else if (msg && !/(writing|uploading) block/.test(msg)) process.stderr.write(`${msg}\n`);
}

function rangeParams(q: string, d: ScaleData): URLSearchParams {
  return new URLSearchParams({
    query: q,
    start: String(d.minTime / 1000),
    end: String(d.maxTime / 1000 - 1),
    step: String(STEP),
  });
}

/** The result with values as Prometheus prints them, for a same-answer check. */
function resultKey(body: string): string {
  const j = JSON.parse(body) as { status: string; data?: { result: unknown[] } };
  if (j.status !== 'success') return `error: ${body.slice(0, 300)}`;
  const rows = (j.data!.result as { metric: Record<string, string>; values: unknown[] }[]).map(
    (r) =>
      JSON.stringify(Object.entries(r.metric).sort()) +
      JSON.stringify(r.values.map((v) => (v as [number, string])[1])),
  );
  return rows.sort().join('\n');
}

async function timed(url: string): Promise<{ ms: number; body: string }> {
  const t = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${body.slice(0, 300)}`);
  return { ms: performance.now() - t, body };
}

async function promRuns(
  tsdb: string,
  work: string,
  q: string,
  d: ScaleData,
): Promise<{ cold: number; warm: number; steady: number; body: string }> {
  const prom: PrometheusHandle = await startPrometheusOnTsdb(tsdb, work, [
    '--storage.tsdb.min-block-duration=2h',
    '--storage.tsdb.max-block-duration=2h',
    '--query.max-samples=500000000',
  ]);
  try {
    const url = `${prom.url}/api/v1/query_range?${rangeParams(q, d)}`;
    const cold = await timed(url);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push((await timed(url)).ms);
    const steady: number[] = [];
    for (let i = 0; i < STEADY_RUNS; i++) steady.push((await timed(url)).ms);
    return { cold: cold.ms, warm: median(warm), steady: median(steady), body: cold.body };
  } finally {
    await prom.stop();
  }
}

/**
 * Cold and warm latency with the query's own stats; then, in another fresh Worker, the same cold
 * query again with each isolate's live heap sampled (a GC before every sample slows a query, so
 * it is not timed).
 */
async function ourRuns(
  s3: S3rverHandle,
  q: string,
  d: ScaleData,
): Promise<{ cold: OurRun; warm: number; steady: number }> {
  const path = `/api/v1/query_range?${rangeParams(q, d)}&stats=all`;
  const worker = await startWorker({
    r2: false,
    shards: 'isolate',
    vars: s3rverWorkerVars(s3, SHARDS),
  });
  let cold: Omit<OurRun, 'querierPeak' | 'shardsPeak'>;
  const warm: number[] = [];
  const steady: number[] = [];
  try {
    const url = new URL(path, worker.url).href;
    const first = await timed(url);
    const stats = (
      JSON.parse(first.body) as {
        data: { stats?: { store?: { objstoreRequests: number; bytesDownloaded: number } } };
      }
    ).data.stats?.store;
    cold = {
      ms: first.ms,
      requests: stats?.objstoreRequests ?? NaN,
      bytes: stats?.bytesDownloaded ?? NaN,
      body: first.body,
    };
    for (let i = 0; i < RUNS; i++) warm.push((await timed(url)).ms);
    for (let i = 0; i < STEADY_RUNS; i++) steady.push((await timed(url)).ms);
  } finally {
    await stopSettled(worker);
  }
  const inspectorPort = await freePort();
  const sampled = await startWorker({
    r2: false,
    shards: 'isolate',
    inspectorPort,
    vars: s3rverWorkerVars(s3, SHARDS),
  });
  try {
    await timed(new URL('/-/healthy', sampled.url).href);
    const querier = await connectIsolate(inspectorPort, `core:user:${QUERIER_WORKER}`);
    const shards = await connectIsolate(inspectorPort, `core:user:${SHARDS_WORKER}`);
    try {
      const url = new URL(path, sampled.url).href;
      const outer = await querier.peakLiveDuring(
        () => shards.peakLiveDuring(() => timed(url), 100),
        100,
      );
      return {
        cold: { ...cold, querierPeak: outer.peak, shardsPeak: outer.result.peak },
        warm: median(warm),
        steady: median(steady),
      };
    } finally {
      querier.close();
      shards.close();
    }
  } finally {
    await stopSettled(sampled);
  }
}

/**
 * What s3rver alone takes to serve a cold run's object-store requests: as many range GETs of the
 * same mean size, spread over the blocks' chunk segments, sent from this process at the shards'
 * concurrency and nothing done with the bytes (median of 3). s3rver answers on one Node thread
 * and shares the machine's cores with the Worker, so no cold query making those requests can
 * be faster here: against Prometheus's cold time it is the best ratio this setup allows.
 */
async function s3rverFloor(
  bucket: Bucket,
  segments: readonly string[],
  requests: number,
  bytes: number,
): Promise<number> {
  // A run without stats, or a bucket without segments, has no floor to measure.
  if (!(requests > 0) || segments.length === 0) return NaN;
  const size = Math.max(1, Math.round(bytes / requests));
  const reads = Array.from({ length: requests }, (_, i) => segments[i % segments.length]!);
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await forEachLimit(reads, DEFAULT_BLOCK_CONCURRENCY * Number(SHARDS), async (key) => {
      await bucket.getRange(key, 0, size);
    });
    runs.push(performance.now() - t);
  }
  return median(runs);
}

async function benchSize(
  days: number,
): Promise<{ days: number; blocks: number; layout: string; rows: Row[]; firstOpen: OurRun }> {
  const work = await mkdtemp(join(tmpdir(), `bench-scale-${days}d-`));
  const s3 = await startS3rver();
  try {
    const tsdb = join(work, 'tsdb');
    const data = await writeScaleBlocks(tsdb, {
      days,
      copies: COPIES,
      onBlock: (i, n) => progress(`${days}d: writing block ${i}/${n}`),
    });
    const bucket = s3rverBucket(s3);
    // `replica` is a default replica label: deduplication removes it, answers compare as they are.
    await uploadScaleBlocks(bucket, tsdb, { replica: '0' }, (i, n) =>
      progress(`${days}d: uploading block ${i}/${n}`),
    );
    let promTsdb = tsdb;
    let layout = `${data.blocks.length} blocks of 2h`;
    if (COMPACT) {
      progress(`${days}d: compacting the bucket (thanos-edge compact)`);
      const t = performance.now();
      const run = await runCompact([
        `--objstore.config=${s3.objstoreYaml()}`,
        `--data-dir=${join(work, 'compact')}`,
        '--consistency-delay=0s',
        '--delete-delay=0s',
        '--downsampling.disable',
      ]);
      if (run.code !== 0) throw new Error(`compact exited ${run.code}:\n${run.stderr}`);
      const live = await liveMetas(bucket);
      const byLevel = new Map<number, number>();
      for (const m of live)
        byLevel.set(m.compaction.level, (byLevel.get(m.compaction.level) ?? 0) + 1);
      layout =
        `${live.length} blocks after \`thanos-edge compact\` (${((performance.now() - t) / 1000).toFixed(0)} s) from ${data.blocks.length} of 2h: ` +
        [...byLevel]
          .sort((a, b) => a[0] - b[0])
          .map(([l, n]) => `${n} at level ${l}`)
          .join(', ');
      promTsdb = join(work, 'compacted');
      await downloadBlocks(
        bucket,
        live.map((m) => m.ulid),
        promTsdb,
      );
    }
    // The first query of all also builds and stores every block's index header.
    progress(`${days}d: first query (index headers built)`);
    const first = await ourRuns(s3, SCALE_QUERIES[0]!, data);
    const rows: Row[] = [];
    for (const [i, q] of SCALE_QUERIES.entries()) {
      progress(`${days}d: query ${i + 1}/${SCALE_QUERIES.length}: Prometheus`);
      const prom = await promRuns(promTsdb, work, q, data);
      progress(`${days}d: query ${i + 1}/${SCALE_QUERIES.length}: thanos-edge`);
      const ours = await ourRuns(s3, q, data);
      rows.push({
        query: q,
        promCold: prom.cold,
        promWarm: prom.warm,
        promSteady: prom.steady,
        cold: ours.cold,
        warm: ours.warm,
        steady: ours.steady,
        floor: NaN,
        same: resultKey(prom.body) === resultKey(ours.cold.body),
      });
    }
    progress(`${days}d: s3rver alone serving each query's requests`);
    const segments = (await listAll(bucket, '', { recursive: true })).filter((k) =>
      /\/chunks\/\d{6}$/.test(k),
    );
    for (const row of rows) {
      row.floor = await s3rverFloor(bucket, segments, row.cold.requests, row.cold.bytes);
    }
    progress('');
    return { days, blocks: data.blocks.length, layout, rows, firstOpen: first.cold };
  } finally {
    await s3.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function report(r: Awaited<ReturnType<typeof benchSize>>): void {
  console.log(
    `\n## ${r.days} days: ${r.layout}, ${SHARDS} shards, step ${STEP}s, warm = median of ${RUNS} right after the cold run, steady = median of ${STEADY_RUNS} after those\n`,
  );
  console.log(
    '| query | Prometheus cold | ours cold | ratio | Prometheus warm | ours warm | ratio | Prometheus steady | ours steady | ratio | objstore requests | bytes | s3rver alone | its ratio | querier heap | shards heap | same answer |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const x of r.rows) {
    console.log(
      `| \`${x.query}\` | ${fmt(x.promCold)} | ${fmt(x.cold.ms)} | ${(x.cold.ms / x.promCold).toFixed(2)}x | ${fmt(x.promWarm)} | ${fmt(x.warm)} | ${(x.warm / x.promWarm).toFixed(2)}x | ${fmt(x.promSteady)} | ${fmt(x.steady)} | ${(x.steady / x.promSteady).toFixed(2)}x | ${x.cold.requests} | ${mb(x.cold.bytes)} | ${fmt(x.floor)} | ${(x.floor / x.promCold).toFixed(2)}x | ${mb(x.cold.querierPeak)} | ${mb(x.cold.shardsPeak)} | ${x.same ? 'yes' : 'NO'} |`,
    );
  }
  const coldRatio = median(r.rows.map((x) => x.cold.ms / x.promCold));
  const warmRatio = median(r.rows.map((x) => x.warm / x.promWarm));
  const steadyRatio = median(r.rows.map((x) => x.steady / x.promSteady));
  const floorRatio = median(r.rows.map((x) => x.floor / x.promCold));
  const peak = Math.max(...r.rows.map((x) => Math.max(x.cold.querierPeak, x.cold.shardsPeak)));
  console.log(
    `\nmedian ratio ours/Prometheus: cold ${coldRatio.toFixed(2)}x (goal ≤ 3x), warm ${warmRatio.toFixed(2)}x (goal ≤ 1x), steady ${steadyRatio.toFixed(2)}x`,
  );
  console.log(
    `s3rver alone serving each cold run's requests (no Worker at all): median ratio ${floorRatio.toFixed(2)}x, the best cold ratio this machine allows`,
  );
  console.log(`largest isolate heap peak: ${mb(peak)} (goal < 100 MB)`);
  console.log(
    `first query with index headers to build: ${fmt(r.firstOpen.ms)}, ${r.firstOpen.requests} requests, ${mb(r.firstOpen.bytes)}`,
  );
  const wrong = r.rows.filter((x) => !x.same).map((x) => x.query);
  console.log(
    wrong.length
      ? `answers differ from Prometheus: ${wrong.join('; ')}`
      : "every answer equals Prometheus's",
  );
}

const results = [];
for (const days of DAYS) {
  const r = await benchSize(days);
  report(r);
  results.push(r);
}
if (results.length > 1) {
  console.log('\n## growth with the data (medians over the queries)\n');
  console.log(
    '| days | blocks | ours cold | ours warm | objstore requests | bytes | cold per day | warm per day |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const cold = median(r.rows.map((x) => x.cold.ms));
    const warm = median(r.rows.map((x) => x.warm));
    console.log(
      `| ${r.days} | ${r.blocks} | ${fmt(cold)} | ${fmt(warm)} | ${median(r.rows.map((x) => x.cold.requests))} | ${mb(median(r.rows.map((x) => x.cold.bytes)))} | ${fmt(cold / r.days)} | ${fmt(warm / r.days)} |`,
    );
  }
}
