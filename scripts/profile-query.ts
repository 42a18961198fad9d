/**
 * `tsx scripts/profile-query.ts` — a CPU profile of the Worker (workerd, through its inspector)
 * while it answers bench:query's data: each PROFILE_QUERIES query (`;`-separated, default all of
 * bench:query's) run PROFILE_RUNS times with the window moved 30 s each time (Grafana's refresh),
 * after one warming run. Prints the time per run, the median, and the functions with the most
 * self time; PROFILE_OUT keeps the raw profile (a .cpuprofile DevTools opens; other isolates' beside
 * it, `<PROFILE_OUT>.<isolate>`), PROFILE=0 only
 * times, PROFILE_PARAMS adds request parameters (e.g. `cache=false`), PROFILE_ACCEPT_ENCODING
 * sets the client's Accept-Encoding (e.g. `identity`; fetch's default asks for gzip).
 *
 * PROFILE_INCLUSIVE=1 ranks functions by inclusive time (callees counted) instead of self time;
 * PROFILE_METHOD=GET asks with the parameters in the URL instead of a POST form; PROFILE_HEAP=1
 * takes a sampling heap profile instead (what each function allocates per run). Each run's
 * workerd CPU time and minor page faults (fresh memory touched) are printed too.
 *
 * PROFILE_DATA=scale profiles bench:scale's data instead: PROFILE_DAYS (default 14) of 2h blocks in
 * the Worker's bucket, store shards (PROFILE_SHARDS, default 4) in an isolate apart from the
 * querier's (profiled too), a range over all the data at step 1h; queries default to bench:scale's.
 * PROFILE_DATA=downsample profiles bench:downsample's bucket instead (PROFILE_DAYS, default 90, in
 * s3rver: raw, 5m and 1h blocks), store shards as for scale, a range from its second day to its end
 * at step 1h; PROFILE_RESOLUTION sets max_source_resolution (default auto); queries default to
 * `count_over_time(node_cpu_seconds_total[1h])`.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { R2Bucket, type R2BucketLike } from '../core/objstore/r2.ts';
import { isUlid } from '../core/tsdb/meta.ts';
import { uploadBlock } from '../sidecar-agent/objstore/upload-block.ts';
import { promtoolCreateBlocks } from '../test/helpers/promtool.ts';
import { openInspector } from '../test/helpers/inspector.ts';
import { makeTmpDir } from '../test/helpers/tmp.ts';
import { QUERIER_WORKER, SHARDS_WORKER, startWorker } from '../test/helpers/worker.ts';
import { SCALE_QUERIES, uploadScaleBlocks, writeScaleBlocks } from './lib/scale-data.ts';
import { copyBucket, writeDownsampledBucket } from './lib/downsample-data.ts';
import { s3rverBucket, s3rverWorkerVars } from './lib/s3rver-worker.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { FilesystemBucket } from '../sidecar-agent/objstore/filesystem.ts';
import { workerdCpuMs, workerdMinorFaults } from './lib/proc.ts';
import {
  QUERIES,
  SPAN,
  STEP,
  T0,
  freePort,
  makeData,
  median,
  openMetrics,
} from './lib/bench-data.ts';

const RUNS = Number(process.env.PROFILE_RUNS ?? 10);
const EXTRA = new URLSearchParams(process.env.PROFILE_PARAMS ?? '');
const downsample = process.env.PROFILE_DATA === 'downsample';
/** Store shards in an isolate of their own, over a bucket of many blocks. */
const scale = process.env.PROFILE_DATA === 'scale' || downsample;
const queries = process.env.PROFILE_QUERIES
  ? process.env.PROFILE_QUERIES.split(';')
  : downsample
    ? ['count_over_time(node_cpu_seconds_total[1h])']
    : scale
      ? SCALE_QUERIES
      : QUERIES;
if (downsample) EXTRA.set('max_source_resolution', process.env.PROFILE_RESOLUTION ?? 'auto');
const profiling = process.env.PROFILE !== '0';
const TOP = Number(process.env.PROFILE_TOP ?? 40);
const ACCEPT_ENCODING = process.env.PROFILE_ACCEPT_ENCODING;
/** PROFILE_HEAP=1: a sampling heap profile (what each function allocates) instead of CPU. */
const heap = process.env.PROFILE_HEAP === '1';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

function printAllocations(head: HeapNode): void {
  const self = new Map<string, number>();
  const walk = (n: HeapNode): void => {
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(head);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`total ${(total / RUNS / 1024).toFixed(0)} KiB per run`);
  for (const [k, b] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${(b / RUNS / 1024).toFixed(0).padStart(8)} KiB  ${k}`);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The range every query asks for (moved by `shift` per run). */
let window = { start: T0, span: SPAN, step: STEP };

async function run(
  base: string,
  q: string,
  shift: number,
  extra: URLSearchParams = EXTRA,
): Promise<number> {
  const { start, span, step } = window;
  const align = (ms: number): number => Math.floor(ms / step) * step;
  const body = new URLSearchParams({
    query: q,
    start: String(align(start + shift) / 1000),
    end: String(align(start + span + shift) / 1000),
    step: String(step / 1000),
  });
  for (const [k, v] of extra) body.set(k, v);
  const t = performance.now();
  const headers = ACCEPT_ENCODING ? { 'accept-encoding': ACCEPT_ENCODING } : undefined;
  const res =
    process.env.PROFILE_METHOD === 'GET'
      ? await fetch(`${base}/api/v1/query_range?${body}`, { headers })
      : await fetch(`${base}/api/v1/query_range`, { method: 'POST', body, headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`${q}: ${text.slice(0, 200)}`);
  return performance.now() - t;
}

/**
 * Time per function: self (samples in it) or, with PROFILE_INCLUSIVE=1, inclusive (samples with
 * it anywhere on the stack, counted once per sample).
 */
function printTimes(profile: Profile): void {
  const inclusive = process.env.PROFILE_INCLUSIVE === '1';
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nameOf = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
  };
  const time = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (nameOf(id) === '(idle) :0') idle += dt;
    const names = new Set<string>();
    for (
      let at: number | undefined = id;
      at !== undefined;
      at = inclusive ? parent.get(at) : undefined
    )
      names.add(nameOf(at));
    for (const name of names) time.set(name, (time.get(name) ?? 0) + dt);
  });
  console.log(
    `${inclusive ? 'inclusive' : 'self'} time, total ${(total / 1000).toFixed(0)} ms, busy ${((total - idle) / 1000).toFixed(0)} ms:`,
  );
  for (const [name, us] of [...time].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(
      `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`,
    );
}

const tmp = await makeTmpDir('profile-query-');
const inspectorPort = await freePort();
const shards = process.env.PROFILE_SHARDS ?? '4';
const s3 = downsample ? await startS3rver() : undefined;
const worker = s3
  ? await startWorker({
      r2: false,
      vars: { ...s3rverWorkerVars(s3, shards), STORE_TOKEN: 'bench' },
      shards: 'isolate',
      inspectorPort,
    })
  : scale
    ? await startWorker({
        vars: { STORE_TOKEN: 'bench', STORE_SHARDS: shards },
        shards: 'isolate',
        inspectorPort,
      })
    : await startWorker({ vars: { STORE_TOKEN: 'bench' }, inspectorPort });
try {
  if (s3) {
    const d = await writeDownsampledBucket(new FilesystemBucket(tmp.path), {
      days: Number(process.env.PROFILE_DAYS ?? 90),
      labels: { replica: '0' },
    });
    await copyBucket(new FilesystemBucket(tmp.path), s3rverBucket(s3));
    window = {
      start: d.minTime + 24 * 3600_000,
      span: d.maxTime - d.minTime - 24 * 3600_000,
      step: 3600_000,
    };
  } else if (scale) {
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const d = await writeScaleBlocks(tmp.path, { days: Number(process.env.PROFILE_DAYS ?? 14) });
    await uploadScaleBlocks(bucket, tmp.path, { replica: '0' });
    window = { start: d.minTime, span: d.maxTime - d.minTime - 3600_000, step: 3600_000 };
  } else {
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const { t, series } = makeData();
    const { db } = await promtoolCreateBlocks(openMetrics(t, series), tmp.path);
    for (const b of (await readdir(db)).filter(isUlid))
      await uploadBlock(bucket, join(db, b), { labels: { replica: '0' }, source: 'sidecar' });
  }
  const base = worker.url.toString().replace(/\/$/, '');
  for (const q of queries) await run(base, q, 0);
  // PROFILE_UNCACHED_FIRST=1: a pass with cache=false before the timed runs (bench:query's order).
  if (process.env.PROFILE_UNCACHED_FIRST === '1')
    for (const q of queries) await run(base, q, 0, new URLSearchParams({ cache: 'false' }));
  // Other isolates (Miniflare's cache:cache, core:entry, …) are profiled with PROFILE_TARGETS.
  const targets = [
    `core:user:${QUERIER_WORKER}`,
    ...(scale ? [`core:user:${SHARDS_WORKER}`] : []),
    ...(process.env.PROFILE_TARGETS ?? '').split(','),
  ];
  // PROFILE=0 attaches nothing: its timings are those of a Worker nobody inspects.
  const insps = await Promise.all(
    targets
      .filter((name) => name !== '' && (profiling || heap))
      .map(async (name) => ({ name, insp: await openInspector(inspectorPort, name) })),
  );
  if (heap) {
    for (const { insp } of insps) {
      await insp.call('HeapProfiler.enable');
      await insp.call('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
  } else if (profiling) {
    for (const { insp } of insps) {
      await insp.call('Profiler.enable');
      await insp.call('Profiler.setSamplingInterval', { interval: 200 });
      await insp.call('Profiler.start');
    }
  }
  const totals: number[] = [];
  const cpu0 = await workerdCpuMs();
  const faults0 = await workerdMinorFaults();
  for (let k = 1; k <= RUNS; k++) {
    let total = 0;
    const per: string[] = [];
    for (const q of queries) {
      const ms = await run(base, q, k * Number(process.env.PROFILE_SHIFT ?? 30_000));
      total += ms;
      per.push(ms.toFixed(0));
    }
    console.log(`run ${k}: ${total.toFixed(0)} ms (${per.join(' ')})`);
    totals.push(total);
  }
  const cpuMs = ((await workerdCpuMs()) - cpu0) / RUNS;
  const faults = ((await workerdMinorFaults()) - faults0) / RUNS;
  console.log(
    `median run: ${median(totals).toFixed(0)} ms; workerd CPU per run ${cpuMs.toFixed(0)} ms, ` +
      `minor page faults per run ${faults.toFixed(0)}`,
  );
  for (const { name, insp } of insps) {
    if (heap) {
      const { profile } = (await insp.call('HeapProfiler.stopSampling')) as {
        profile: { head: HeapNode };
      };
      console.log(`\n## ${name}: bytes allocated per run (collected ones included), by function`);
      printAllocations(profile.head);
    } else if (profiling) {
      const { profile } = (await insp.call('Profiler.stop')) as { profile: Profile };
      // The querier's profile at PROFILE_OUT, each other isolate's beside it (`<out>.<isolate>`).
      if (process.env.PROFILE_OUT) {
        const out = process.env.PROFILE_OUT;
        await writeFile(
          name === insps[0]!.name ? out : `${out}.${name.split(':').pop()}`,
          JSON.stringify(profile),
        );
      }
      console.log(`\n## ${name}`);
      printTimes(profile);
    }
    insp.close();
  }
} finally {
  await worker.stop();
  await s3?.stop();
  await tmp.remove();
}
