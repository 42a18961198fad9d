/**
 * @module scripts/bench-downsample — a long-range query on raw vs downsampled data through the
 * Worker and its store shards (Durable Objects, an isolate apart from the querier's), same bucket,
 * same run: 90 days of the scale data set as the compactor leaves it (14d raw blocks, the newest
 * days in 2d blocks, 5m copies of all, 1h copies of the 14d ones; scripts/lib/downsample-data.ts),
 * queried at step 1h with max_source_resolution=0s (raw), auto (step/5: 5m data) and 1h.
 *
 * Per query and resolution: cold latency (a fresh workerd whose shards have listed the bucket, at
 * /-/ready, as a deployed Worker's have: empty caches, cold JIT), warm latency (median of
 * BENCH_RUNS repeats in that workerd), steady latency (median of BENCH_STEADY_RUNS more: the JIT
 * settled, as in an isolate that has served a dashboard a while; bench:scale measures the same),
 * object-store requests and bytes of the cold run (the
 * query's `stats=all`). Index headers are built once by a warm-up Worker beforehand (reported
 * apart). Answers are compared with the raw answer point by point: count/sum/min/max_over_time
 * must be equal exactly (windows aligned: samples sit 7s past the 30s grid and steps on the hour,
 * so a [1h] range holds exactly the samples of twelve 5m windows or one 1h window, whose aggregates
 * are stamped 1 ms before each window's end), avg_over_time to 1e-12 relative; rate and
 * increase within RATE_TOLERANCE of their resolution: a downsampled counter is extrapolated from
 * window ends, not from the raw samples, so a [1d] rate reads 288 points at 5m and only 24 at 1h.
 *
 * Env: BENCH_DAYS (90), BENCH_SHARDS (4), BENCH_RUNS (5), BENCH_STEADY_RUNS (7), BENCH_COPIES (1:
 * ~180 series).
 * Absolute times on a shared 2-core machine are noise; ratios within one run are not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBucket } from '../sidecar-agent/objstore/filesystem.ts';
import { startS3rver, type S3rverHandle } from '../test/helpers/s3rver.ts';
import { s3rverBucket, s3rverWorkerVars, stopSettled } from './lib/s3rver-worker.ts';
import { startWorker } from '../test/helpers/worker.ts';
import { median } from './lib/bench-data.ts';
import { copyBucket, writeDownsampledBucket, type DownsampleData } from './lib/downsample-data.ts';

const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const SHARDS = process.env.BENCH_SHARDS ?? '4';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STEADY_RUNS = Number(process.env.BENCH_STEADY_RUNS ?? 7);
const COPIES = Number(process.env.BENCH_COPIES ?? 1);
const STEP = 3600;
const HOUR = 3600_000;
const MB = 1024 * 1024;
/** rate/increase over downsampled counters vs raw: largest relative difference allowed. */
const RATE_TOLERANCE: Record<Resolution, number> = { '0s': 0, auto: 0.02, '1h': 0.1 };

type Check = 'exact' | 'relative' | 'rate';

const QUERIES: { q: string; check: Check }[] = [
  { q: 'count_over_time(node_cpu_seconds_total[1h])', check: 'exact' },
  { q: 'sum_over_time(node_memory_MemAvailable_bytes[1h])', check: 'exact' },
  { q: 'min_over_time(node_network_receive_bytes_total[1h])', check: 'exact' },
  { q: 'max_over_time(http_requests_total[1h])', check: 'exact' },
  { q: 'avg_over_time(node_memory_MemAvailable_bytes[1h])', check: 'relative' },
  { q: 'sum by (job) (rate(node_cpu_seconds_total[1d]))', check: 'rate' },
  { q: 'sum by (code) (increase(http_requests_total[1d]))', check: 'rate' },
];

/** max_source_resolution values: raw first (the reference). */
const RESOLUTIONS = ['0s', 'auto', '1h'] as const;
type Resolution = (typeof RESOLUTIONS)[number];

interface Run {
  cold: number;
  warm: number;
  steady: number;
  requests: number;
  bytes: number;
  /** metric key → [t, v] points. */
  result: Map<string, Map<number, number>>;
}

const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
const mb = (b: number): string => `${(b / MB).toFixed(2)} MB`;

function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
  else if (msg) process.stderr.write(`${msg}\n`);
}

/** Steps on the hour: a [1h] range then holds whole 5m and 1h windows (see the module note). */
function rangePath(q: string, res: string, d: DownsampleData): string {
  const qs = new URLSearchParams({
    query: q,
    start: String((d.minTime + 24 * HOUR) / 1000),
    end: String(d.maxTime / 1000),
    step: String(STEP),
    max_source_resolution: res,
    partial_response: 'false',
    stats: 'all',
  });
  return `/api/v1/query_range?${qs}`;
}

interface Answer {
  ms: number;
  requests: number;
  bytes: number;
  result: Map<string, Map<number, number>>;
}

async function timed(url: string): Promise<Answer> {
  const t = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  const text = await res.text();
  const ms = performance.now() - t;
  const body = JSON.parse(text) as {
    status: string;
    error?: string;
    data: {
      result: { metric: Record<string, string>; values: [number, string][] }[];
      stats?: { store?: { objstoreRequests: number; bytesDownloaded: number } };
    };
  };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? text.slice(0, 300)}`);
  const result = new Map<string, Map<number, number>>();
  for (const r of body.data.result) {
    result.set(
      JSON.stringify(Object.entries(r.metric).sort()),
      new Map(r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)])),
    );
  }
  const store = body.data.stats?.store;
  return {
    ms,
    requests: store?.objstoreRequests ?? NaN,
    bytes: store?.bytesDownloaded ?? NaN,
    result,
  };
}

/** Cold run in a fresh Worker, then the warm median in the same one. */
async function runs(s3: S3rverHandle, q: string, res: string, d: DownsampleData): Promise<Run> {
  const worker = await startWorker({
    r2: false,
    shards: 'isolate',
    vars: s3rverWorkerVars(s3, SHARDS),
  });
  try {
    const ready = await fetch(new URL('/-/ready', worker.url));
    if (!ready.ok) throw new Error(`worker not ready: ${await ready.text()}`);
    const url = new URL(rangePath(q, res, d), worker.url).href;
    const cold = await timed(url);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push((await timed(url)).ms);
    const steady: number[] = [];
    for (let i = 0; i < STEADY_RUNS; i++) steady.push((await timed(url)).ms);
    return {
      cold: cold.ms,
      warm: median(warm),
      steady: median(steady),
      requests: cold.requests,
      bytes: cold.bytes,
      result: cold.result,
    };
  } finally {
    await stopSettled(worker);
  }
}

interface Agreement {
  points: number;
  /** Points of the raw answer missing from this one, or extra. */
  missing: number;
  extra: number;
  worst: number;
  /** Where the worst difference is. */
  where: string;
  ok: boolean;
}

/** This answer against the raw one, by the query's check. */
function agree(raw: Run['result'], got: Run['result'], check: Check, res: Resolution): Agreement {
  let points = 0;
  let missing = 0;
  let extra = 0;
  let worst = 0;
  let where = '';
  for (const [k, want] of raw) {
    const g = got.get(k);
    for (const [t, v] of want) {
      const x = g?.get(t);
      if (x === undefined) {
        missing++;
        continue;
      }
      points++;
      const err = v === x ? 0 : Math.abs(x - v) / Math.max(Math.abs(v), 1e-300);
      if (err > worst) {
        worst = err;
        where = `${k} at ${new Date(t).toISOString()}: raw ${v}, this ${x}`;
      }
    }
  }
  for (const [k, g] of got) {
    const want = raw.get(k);
    for (const t of g.keys()) if (!want?.has(t)) extra++;
  }
  const limit = check === 'exact' ? 0 : check === 'relative' ? 1e-12 : RATE_TOLERANCE[res];
  const ok = missing === 0 && extra === 0 && worst <= limit;
  return { points, missing, extra, worst, where, ok };
}

async function main(): Promise<void> {
  const s3 = await startS3rver();
  const work = await mkdtemp(join(tmpdir(), 'bench-downsample-'));
  try {
    const bucket = s3rverBucket(s3);
    const began = performance.now();
    // Written, compacted and downsampled on local disk (s3rver shares this process's event loop,
    // which the downsampler keeps busy), then uploaded.
    const data = await writeDownsampledBucket(new FilesystemBucket(work), {
      days: DAYS,
      copies: COPIES,
      labels: { replica: '0' },
      progress: (msg) => progress(`${fmt(performance.now() - began)}: ${msg}`),
    });
    await copyBucket(new FilesystemBucket(work), bucket, (msg) =>
      progress(`${fmt(performance.now() - began)}: ${msg}`),
    );
    const genMs = performance.now() - began;
    const byRes = new Map<number, { blocks: number; bytes: number }>();
    for (const m of data.metas) {
      const r = m.thanos?.downsample.resolution ?? 0;
      const e = byRes.get(r) ?? { blocks: 0, bytes: 0 };
      e.blocks++;
      for (const f of m.thanos?.files ?? []) e.bytes += f.size_bytes ?? 0;
      byRes.set(r, e);
    }

    // Index headers: built and written to the bucket once, by a first Worker.
    progress('warm-up: building index headers');
    const warmup = await startWorker({
      r2: false,
      shards: 'isolate',
      vars: s3rverWorkerVars(s3, SHARDS),
    });
    let headers: Answer;
    try {
      headers = await timed(new URL(rangePath('count(up)', '0s', data), warmup.url).href);
      for (const res of ['auto', '1h'])
        await timed(new URL(rangePath('count(up)', res, data), warmup.url).href);
    } finally {
      await stopSettled(warmup);
    }

    const rows: { q: string; check: Check; runs: Map<string, Run> }[] = [];
    for (const [i, { q, check }] of QUERIES.entries()) {
      const byResRun = new Map<string, Run>();
      for (const res of RESOLUTIONS) {
        progress(`query ${i + 1}/${QUERIES.length} at max_source_resolution=${res}: ${q}`);
        byResRun.set(res, await runs(s3, q, res, data));
      }
      rows.push({ q, check, runs: byResRun });
    }
    progress('');

    console.log(
      `\n## ${DAYS} days, ${data.series} series at 30s (${(data.samples / 1e6).toFixed(1)} M raw samples), ${SHARDS} store shards, step ${STEP / 3600}h, warm = median of ${RUNS} right after the cold run, steady = median of ${STEADY_RUNS} after those\n`,
    );
    for (const [r, e] of [...byRes].sort((a, b) => a[0] - b[0])) {
      console.log(
        `- resolution ${r === 0 ? 'raw' : `${r / 60_000}m`}: ${e.blocks} blocks, ${mb(e.bytes)}`,
      );
    }
    console.log(
      `- bucket written, compacted and downsampled in ${fmt(genMs)}; index headers built by the first query in ${fmt(headers.ms)} (${headers.requests} requests, ${mb(headers.bytes)})\n`,
    );
    console.log(
      '| query | res | cold | warm | steady | raw/this cold | raw/this warm | raw/this steady | objstore requests | bytes | points | agrees with raw |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    const ratios = new Map<string, { cold: number[]; warm: number[]; steady: number[] }>();
    let allAgree = true;
    for (const row of rows) {
      const raw = row.runs.get('0s')!;
      for (const res of RESOLUTIONS) {
        const r = row.runs.get(res)!;
        const a = agree(raw.result, r.result, row.check, res);
        if (res !== '0s') {
          const x = ratios.get(res) ?? { cold: [], warm: [], steady: [] };
          x.cold.push(raw.cold / r.cold);
          x.warm.push(raw.warm / r.warm);
          x.steady.push(raw.steady / r.steady);
          ratios.set(res, x);
          if (!a.ok) {
            allAgree = false;
            progress(`${row.q} at ${res}: worst difference ${a.where}`);
          }
        }
        const verdict =
          res === '0s'
            ? 'reference'
            : `${a.ok ? 'yes' : 'NO'} (${row.check}; worst rel. diff ${a.worst.toExponential(1)}${a.missing || a.extra ? `, ${a.missing} missing, ${a.extra} extra` : ''})`;
        console.log(
          `| \`${row.q}\` | ${res} | ${fmt(r.cold)} | ${fmt(r.warm)} | ${fmt(r.steady)} | ${(raw.cold / r.cold).toFixed(1)}x | ${(raw.warm / r.warm).toFixed(1)}x | ${(raw.steady / r.steady).toFixed(1)}x | ${r.requests} | ${mb(r.bytes)} | ${a.points} | ${verdict} |`,
        );
      }
    }
    console.log('');
    for (const [res, x] of ratios) {
      const cold = median(x.cold);
      const warm = median(x.warm);
      const steady = median(x.steady);
      console.log(
        `median speed-up of max_source_resolution=${res} over raw: cold ${cold.toFixed(1)}x, warm ${warm.toFixed(1)}x, steady ${steady.toFixed(1)}x (goal ≥ 10x)`,
      );
    }
    console.log(
      allAgree
        ? `every downsampled answer agrees with raw (count/sum/min/max_over_time exactly, avg_over_time to 1e-12, rate/increase within ${RATE_TOLERANCE.auto * 100}% at auto (5m), ${RATE_TOLERANCE['1h'] * 100}% at 1h)`
        : 'some downsampled answers do NOT agree with raw (see the table)',
    );
  } finally {
    await s3.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
