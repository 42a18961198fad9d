/**
 * `npm run stress:scale` — hunts queries that never answer: bench:scale's data (BENCH-sized: days
 * of 2h blocks from one Prometheus in s3rver) behind the sharded Worker, and bench:scale's queries
 * run again and again, each in a fresh workerd (one cold run, then warm runs), every request with
 * a deadline. A request past its deadline is reported with the query, the run, the CPU time
 * workerd used while it waited and the Worker's last log lines; the script exits 1 if any was.
 *
 * Env: STRESS_SECONDS (how long to go on, default 600), STRESS_TIMEOUT (seconds a request may
 * take, default 30; a cold `count({__name__=~".+"})` takes about 4 s here), STRESS_DAYS (14),
 * STRESS_SHARDS (4), STRESS_RUNS (runs per query and Worker, default 4).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { s3rverBucket, s3rverWorkerVars } from './lib/s3rver-worker.ts';
import { startWorker } from '../test/helpers/worker.ts';
import { workerdCpuMs } from './lib/proc.ts';
import { SCALE_QUERIES, uploadScaleBlocks, writeScaleBlocks } from './lib/scale-data.ts';

const SECONDS = Number(process.env.STRESS_SECONDS ?? 600);
const TIMEOUT = Number(process.env.STRESS_TIMEOUT ?? 30) * 1000;
const DAYS = Number(process.env.STRESS_DAYS ?? 14);
const SHARDS = process.env.STRESS_SHARDS ?? '4';
const RUNS = Number(process.env.STRESS_RUNS ?? 4);

function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
}

const work = await mkdtemp(join(tmpdir(), 'stress-scale-'));
const s3 = await startS3rver();
let requests = 0;
let stuck = 0;
try {
  const tsdb = join(work, 'tsdb');
  const data = await writeScaleBlocks(tsdb, {
    days: DAYS,
    copies: 2,
    onBlock: (i, n) => progress(`writing block ${i}/${n}`),
  });
  const bucket = s3rverBucket(s3);
  await uploadScaleBlocks(bucket, tsdb, { replica: '0' }, (i, n) =>
    progress(`uploading block ${i}/${n}`),
  );
  const vars = s3rverWorkerVars(s3, SHARDS);
  const path = (q: string): string =>
    `/api/v1/query_range?${new URLSearchParams({
      query: q,
      start: String(data.minTime / 1000),
      end: String(data.maxTime / 1000 - 1),
      step: '3600',
    })}&stats=all`;
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    for (const q of SCALE_QUERIES) {
      const logs: string[] = [];
      const worker = await startWorker({ r2: false, shards: 'isolate', vars, logs });
      try {
        for (let run = 0; run < RUNS; run++) {
          requests++;
          progress(`${requests} requests, ${stuck} past the deadline`);
          const began = performance.now();
          const cpuBefore = await workerdCpuMs();
          try {
            const res = await fetch(new URL(path(q), worker.url), {
              signal: AbortSignal.timeout(TIMEOUT),
            });
            await res.text();
          } catch (err) {
            stuck++;
            const wall = performance.now() - began;
            // A runtime spinning on its own (workerd 1.20260426's cppgc sweep, see README) uses a
            // whole core while nothing answers; a query waiting on I/O uses none.
            const cpu = (await workerdCpuMs()) - cpuBefore;
            console.log(
              `no answer in ${(wall / 1000).toFixed(1)} s: run ${run + 1} (${run === 0 ? 'cold' : 'warm'}) of ${q}: ${String(err)}; workerd used ${(cpu / 1000).toFixed(1)} s of CPU meanwhile`,
            );
            console.log(logs.slice(-20).join('\n'));
            break;
          }
        }
      } finally {
        await worker.stop();
      }
    }
  }
} finally {
  progress('');
  await s3.stop();
  await rm(work, { recursive: true, force: true });
}
console.log(`${requests} requests, ${stuck} without an answer within ${TIMEOUT / 1000} s`);
process.exitCode = stuck > 0 ? 1 : 0;
