/**
 * @module scripts/bench-compact — `thanos-edge compact` beside Prometheus 2.42's own compactor on
 * the same 2h blocks, same run: BENCH_BLOCKS x 2h blocks (12 by default) of BENCH_SERIES series
 * (10k at 1x, ~180 demo series per copy), at each scale of BENCH_SCALES (1,2,4 x the series).
 *
 * Ours: the CLI (`thanos-edge compact` started as a program, so with the Node flags its launcher
 * gives it) compacting from s3rver back into s3rver; its time
 * is the span from the first compaction's start to the last one's end, from its log (each
 * compaction downloads its inputs to --data-dir, merges, writes, uploads; an upload overlaps the
 * next merge), the process's wall time beside it; peak RSS from /proc/<pid>/status VmHWM.
 * Prometheus: a copy of the dir with `--storage.tsdb.{min,max}-block-duration=2h,8h`, woken by
 * a small remote write (helpers in test/helpers/prometheus-compaction.ts); its time is
 * `prometheus_tsdb_compaction_duration_seconds_sum` once `prometheus_tsdb_compactions_total`
 * settles, its memory the peak of `process_resident_memory_bytes` sampled meanwhile (a
 * long-running server's RSS, head included).
 * Ours also gives its process's CPU time and s3rver's over the same span: this machine has two
 * cores, and the local bucket's CPU is spent beside ours.
 * Throughput is samples in the blocks each compactor wrote / its time. Each plans with its own
 * levels (Thanos 2h→8h, Prometheus 2h→6h), so samples compacted differ; samples/s compare.
 * BENCH_OBJSTORE picks the buckets ours compacts in, `s3,filesystem` by default: s3rver (whose
 * CPU is taken from the same two cores) and Thanos's FILESYSTEM objstore (local disk, the ground
 * Prometheus compacts on).
 * BENCH_PART_SIZE sets the objstore's multipart part size (the S3 client buffers up to one part
 * per upload in flight), default Thanos's 64 MiB. BENCH_NODE_ARGS: more node flags for ours
 * (`--cpu-prof`); BENCH_VERBOSE=1 prints our compactor's log.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUlid, parseMeta } from '../core/tsdb/meta.ts';
import { bucketFromConfigText } from '../sidecar-agent/objstore/from-config.ts';
import { AGENT_BIN } from '../test/helpers/agent-process.ts';
import { liveMetas } from '../test/helpers/compact-data.ts';
import {
  metricValue,
  triggerCompaction,
  waitCompactionsSettled,
} from '../test/helpers/prometheus-compaction.ts';
import { startPrometheusOnTsdb } from '../test/helpers/prometheus-tsdb.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { BLOCK_RANGE, uploadScaleBlocks, writeScaleBlocks } from './lib/scale-data.ts';
import { cpuMs, procMemory } from './lib/proc.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 10_000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 12);
const SCALES = (process.env.BENCH_SCALES ?? '1,2,4').split(',').map(Number);
const DEMO_SERIES_PER_COPY = 180;
const MB = 1024 * 1024;
/**
 * Objstore `part_size` (bytes). Unset: Thanos's default, 64 MiB — the S3 client then holds up to
 * that much of each uploaded file (all of a block's chunk file, below it) in memory.
 */
const PART_SIZE = process.env.BENCH_PART_SIZE;
/**
 * Buckets ours compacts in: `s3` (s3rver on loopback: its CPU is spent on the same two cores as
 * ours) and `filesystem` (Thanos's FILESYSTEM objstore: local disk, as Prometheus compacts).
 */
const OBJSTORES = (process.env.BENCH_OBJSTORE ?? 's3,filesystem').split(',') as (
  's3' | 'filesystem'
)[];

interface Side {
  /** Time spent compacting (ours: the compactions' own durations; Prometheus: its histogram sum). */
  seconds: number;
  /** Ours only: the whole process, start to exit. */
  wall?: number;
  /** Ours only: CPU seconds of our process and of s3rver over its run (where the time goes). */
  cpu?: number;
  s3rverCpu?: number;
  samples: number;
  peakRss: number;
  blocksOut: number;
}

/**
 * Time spent compacting, from the compactor's log: each compaction logs when it ended (`ts=`) and
 * how long it took from its first read to its meta.json (`… in <seconds>s`: download, merge,
 * write, upload). A compaction's upload overlaps the next one's merge, so the time is the span
 * from the first start to the last end, not the sum.
 */
function compactingSeconds(log: string): number {
  let first = Infinity;
  let last = -Infinity;
  for (const m of log.matchAll(/ts=(\S+) msg="[^"]*\) in ([\d.]+)s"/g)) {
    const end = Date.parse(m[1]!);
    first = Math.min(first, end - Number(m[2]) * 1000);
    last = Math.max(last, end);
  }
  return last > first ? (last - first) / 1000 : 0;
}

async function ours(
  yaml: string,
  dataDir: string,
  s3rverPid: number,
): Promise<Side & { log: string }> {
  const t = performance.now();
  const s3rverBefore = await cpuMs(s3rverPid);
  // Started as a user starts it: the bin's launcher picks the Node flags (young generation).
  const p = spawn(
    AGENT_BIN,
    [
      'compact',
      `--objstore.config=${yaml}`,
      `--data-dir=${dataDir}`,
      '--consistency-delay=0s',
      '--http-address=127.0.0.1:0',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the compactor.
      env: { ...process.env, THANOS_EDGE_NODE_ARGS: process.env.BENCH_NODE_ARGS ?? '' },
    },
  );
  let log = '';
  p.stderr.on('data', (b: Buffer) => (log += b.toString()));
  let peak = 0;
  // The last reading before the process goes (its /proc entry goes with it).
  let cpu = 0;
  const timer = setInterval(() => {
    void procMemory(p.pid!, 'VmHWM').then((v) => (peak = Math.max(peak, v)));
    void cpuMs(p.pid!)
      .then((v) => (cpu = Math.max(cpu, v)))
      .catch(() => {});
  }, 50);
  const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
  clearInterval(timer);
  const wall = (performance.now() - t) / 1000;
  const s3rverCpu = ((await cpuMs(s3rverPid)) - s3rverBefore) / 1000;
  if (code !== 0) throw new Error(`compact exited ${code}:\n${log}`);
  const bucket = bucketFromConfigText(yaml);
  const made = (await liveMetas(bucket)).filter((m) => m.compaction.level > 1);
  const seconds = compactingSeconds(log);
  return {
    seconds,
    wall,
    cpu: cpu / 1000,
    s3rverCpu,
    samples: made.reduce((a, m) => a + (m.stats.numSamples ?? 0), 0),
    peakRss: peak,
    blocksOut: made.length,
    log,
  };
}

async function prometheus(src: string, work: string, end: number): Promise<Side> {
  const dir = join(work, 'prom');
  await cp(src, dir, { recursive: true });
  const prom = await startPrometheusOnTsdb(dir, work, [
    '--storage.tsdb.min-block-duration=2h',
    '--storage.tsdb.max-block-duration=8h',
    '--web.enable-remote-write-receiver',
  ]);
  let peak = 0;
  const sample = async (): Promise<void> => {
    peak = Math.max(peak, await metricValue(prom.url, 'process_resident_memory_bytes'));
  };
  const timer = setInterval(() => void sample().catch(() => {}), 100);
  let seconds: number;
  try {
    await sample();
    await triggerCompaction(prom.url, end);
    await waitCompactionsSettled(prom.url, 2, 3000, 1_800_000);
    seconds = await metricValue(prom.url, 'prometheus_tsdb_compaction_duration_seconds_sum');
    await sample();
  } finally {
    clearInterval(timer);
    await prom.stop();
  }
  let samples = 0;
  let blocksOut = 0;
  for (const id of (await readdir(dir)).filter(isUlid)) {
    const meta = parseMeta(await readFile(join(dir, id, 'meta.json')), id);
    if (meta.compaction.level > 1) {
      samples += meta.stats.numSamples ?? 0;
      blocksOut++;
    }
  }
  return { seconds, samples, peakRss: peak, blocksOut };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const ratios = new Map<string, { speed: number; rss: number }[]>();
  const oursRss = new Map<string, number[]>();
  for (const objstore of OBJSTORES)
    for (const scale of SCALES) {
      const work = await mkdtemp(join(tmpdir(), 'bench-compact-'));
      const s3 = await startS3rver();
      try {
        const src = join(work, 'src');
        const copies = Math.max(1, Math.round((SERIES * scale) / DEMO_SERIES_PER_COPY));
        const end = Math.floor(Date.UTC(2026, 10, 1) / BLOCK_RANGE) * BLOCK_RANGE;
        process.stderr.write(
          `${scale}x: writing ${BLOCKS} blocks of ~${copies * DEMO_SERIES_PER_COPY} series…\n`,
        );
        const data = await writeScaleBlocks(src, {
          days: (BLOCKS * BLOCK_RANGE) / (24 * 3600_000),
          end,
          copies,
        });
        await mkdir(join(src, 'wal'), { recursive: true });
        const yaml =
          objstore === 'filesystem'
            ? `type: FILESYSTEM\nconfig:\n  directory: ${join(work, 'bucket')}\n`
            : s3.objstoreYaml() + (PART_SIZE ? `  part_size: ${PART_SIZE}\n` : '');
        await uploadScaleBlocks(bucketFromConfigText(yaml), src, { cluster: 'bench' });
        process.stderr.write(`${scale}x: compacting (ours, ${objstore} bucket)…\n`);
        const o = await ours(yaml, join(work, 'data'), s3.pid);
        if (process.env.BENCH_VERBOSE) process.stderr.write(o.log);
        process.stderr.write(`${scale}x: compacting (Prometheus 2.42)…\n`);
        const p = await prometheus(src, work, data.maxTime);
        const oRate = o.samples / o.seconds;
        const pRate = p.samples / p.seconds;
        const key = `${objstore} bucket`;
        ratios.set(key, [
          ...(ratios.get(key) ?? []),
          { speed: oRate / pRate, rss: o.peakRss / p.peakRss },
        ]);
        oursRss.set(key, [...(oursRss.get(key) ?? []), o.peakRss]);
        rows.push(
          `| ${objstore} | ${scale}x | ${data.series} | ${data.blocks.length} | ` +
            `${o.blocksOut} / ${(o.samples / 1e6).toFixed(1)}M / ${o.seconds.toFixed(2)}s (${o.wall!.toFixed(1)}s process) | ${(oRate / 1e6).toFixed(2)}M | ${(o.peakRss / MB).toFixed(0)} MB | ` +
            `${o.cpu!.toFixed(1)}s / ${o.s3rverCpu!.toFixed(1)}s | ` +
            `${p.blocksOut} / ${(p.samples / 1e6).toFixed(1)}M / ${p.seconds.toFixed(2)}s | ${(pRate / 1e6).toFixed(2)}M | ${(p.peakRss / MB).toFixed(0)} MB | ` +
            `${(oRate / pRate).toFixed(2)}x |`,
        );
      } finally {
        await s3.stop();
        await rm(work, { recursive: true, force: true });
      }
    }
  console.log(
    '\n| bucket | input | series | 2h blocks | ours: blocks out / samples / time | ours samples/s | ours peak RSS | CPU: ours / s3rver meanwhile | Prometheus: blocks out / samples / time | Prometheus samples/s | Prometheus peak RSS | speed ours/Prometheus |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  for (const [key, rs] of ratios) {
    const rss = oursRss.get(key)!;
    const growth = rss.length > 1 ? rss[rss.length - 1]! / rss[0]! : 1;
    console.log(
      `\n${key}: speed ours/Prometheus ${rs.map((r) => r.speed.toFixed(2)).join(', ')} (goal ≥ 0.5x); ` +
        `peak RSS ours/Prometheus ${rs.map((r) => r.rss.toFixed(2)).join(', ')}; ` +
        `our peak RSS ${SCALES[SCALES.length - 1]}x/${SCALES[0]}x ${growth.toFixed(2)}, largest ${(Math.max(...rss) / MB).toFixed(0)} MB (goal < 200 MB, flat)`,
    );
  }
}

await main();
