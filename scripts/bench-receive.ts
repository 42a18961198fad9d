/**
 * @module scripts/bench-receive — remote-write ingestion, same stream, same run: the Worker's
 * receiver (one shard and BENCH_SHARDS shards, workerd), Prometheus 2.42 with
 * `--web.enable-remote-write-receiver`, and VictoriaMetrics's `/api/v1/write`.
 *
 * The stream: BENCH_SERIES series (default 20k, node-exporter-like labels) scraped every 15 s,
 * snappy-compressed as Prometheus compresses a request (back-references: ~9x smaller than the
 * protobuf), BENCH_STEPS scrapes replayed at full speed, BENCH_BATCH samples per request (Prometheus sends up
 * to max_samples_per_send), BENCH_CONCURRENCY senders each owning a slice of the series (so each
 * series stays in order, as Prometheus's queue shards keep it). BENCH_RUNS rounds (3), each
 * receiver started afresh in each round; reports the median accepted samples/s and its ratio to
 * Prometheus's (and apart: the first scrape, which creates every series, in series/s, and the later
 * scrapes, which append to known series, in samples/s), and the CPU time the receiver's processes used per million samples (workerd runs
 * every isolate on one thread, the Go servers use every core: samples/s is what a sender sees on
 * this machine, CPU per sample the work each receiver does). Then, with one shard in an isolate of its own, how many active series
 * it holds when its live heap (after a GC) reaches 100 MB, growing in steps of BENCH_MEM_STEP.
 * Absolute numbers on a shared 2-core machine are noise; ratios within one run are not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectIsolate } from '../test/helpers/inspector.ts';
import { median } from './lib/bench-data.ts';
import { cpuMs, workerdCpuMs } from './lib/proc.ts';
import { freePort } from '../test/helpers/ports.ts';
import {
  remoteWriteBody,
  remoteWriteHeaders,
  type WriteSeriesInput,
} from '../test/helpers/remote-write.ts';
import { RECEIVE_WORKER, startWorker, type WorkerHandle } from '../test/helpers/worker.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 20_000);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const MEM_STEP = Number(process.env.BENCH_MEM_STEP ?? 10_000);
const MEM_MAX = Number(process.env.BENCH_MEM_MAX ?? 120_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TOKEN = 'bench-receive';
const INTERVAL = 15_000;
const MB = 1024 * 1024;

function labelsOf(i: number): Record<string, string> {
  return {
    __name__: `node_metric_${i % 100}`,
    cpu: String(i % 8),
    instance: `host-${Math.floor(i / 800)}:9100`,
    job: 'node',
    mode: ['user', 'system', 'idle', 'iowait'][i % 4]!,
    series: String(i),
  };
}

/** Request bodies of one sender: its slice of series, step by step, BATCH samples a request. */
function bodies(sender: number, series: number, steps: number, start: number): Uint8Array[] {
  return scrapeBodies(sender, series, steps, start).flat();
}

/** `bodies`, scrape by scrape (a request never holds samples of two scrapes). */
function scrapeBodies(
  sender: number,
  series: number,
  steps: number,
  start: number,
): Uint8Array[][] {
  const scrapes: Uint8Array[][] = [];
  let batch: WriteSeriesInput[] = [];
  for (let s = 0; s < steps; s++) {
    const out: Uint8Array[] = [];
    scrapes.push(out);
    const t = start + s * INTERVAL;
    for (let i = sender; i < series; i += CONCURRENCY) {
      batch.push({ labels: labelsOf(i), samples: [[t, (i * 7 + s * 13) % 1000]] });
      if (batch.length === BATCH) {
        out.push(remoteWriteBody(batch));
        batch = [];
      }
    }
    if (batch.length > 0) {
      out.push(remoteWriteBody(batch));
      batch = [];
    }
  }
  return scrapes;
}

/** One receiver's run: samples/s accepted, and the CPU its process(es) used meanwhile. */
interface RunResult {
  readonly rate: number;
  /** Series/s of the first scrape (every series new), and samples/s of the scrapes after it. */
  readonly createRate: number;
  readonly appendRate: number;
  /** CPU ms per million samples accepted. */
  readonly cpuPerMillion: number;
  /** CPU time / wall time: how many cores it kept busy. */
  readonly cores: number;
}

/**
 * The stream sent (each sender's scrapes in order, senders in parallel), its first scrape (which
 * creates every series) timed apart from the rest, with the CPU time `cpu()` reports (the
 * receiver's processes) taken around it.
 */
async function measured(
  cpu: () => Promise<number>,
  url: string,
  perSender: Uint8Array[][][],
  headers: Record<string, string>,
): Promise<RunResult> {
  const cpu0 = await cpu();
  const t0 = performance.now();
  await ingest(
    url,
    perSender.map((scrapes) => scrapes[0]!),
    headers,
  );
  const t1 = performance.now();
  await ingest(
    url,
    perSender.map((scrapes) => scrapes.slice(1).flat()),
    headers,
  );
  const wall = performance.now() - t0;
  const used = (await cpu()) - cpu0;
  return {
    rate: (SERIES * STEPS) / (wall / 1000),
    createRate: SERIES / ((t1 - t0) / 1000),
    appendRate: STEPS > 1 ? (SERIES * (STEPS - 1)) / ((t0 + wall - t1) / 1000) : NaN,
    cpuPerMillion: (used / (SERIES * STEPS)) * 1e6,
    cores: used / wall,
  };
}

/** Sends every body (each sender in order, senders in parallel), retrying 5xx. */
async function ingest(
  url: string,
  perSender: Uint8Array[][],
  headers: Record<string, string>,
): Promise<void> {
  await Promise.all(
    perSender.map(async (list) => {
      for (const body of list) {
        for (let attempt = 0; ; attempt++) {
          const r = await fetch(url, {
            method: 'POST',
            headers,
            body: body as Uint8Array<ArrayBuffer>,
          });
          const text = await r.text();
          if (r.ok) break;
          if (r.status < 500 || attempt > 5)
            throw new Error(`${url}: HTTP ${r.status} ${text.slice(0, 300)}`);
        }
      }
    }),
  );
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')));
}

async function waitReady(url: string, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await fetch(url).catch(() => undefined);
    if (r?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${url}`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-receive-'));
  const children: ChildProcess[] = [];
  const workers: WorkerHandle[] = [];
  try {
    const start = Date.now() - STEPS * INTERVAL;
    const perSender = Array.from({ length: CONCURRENCY }, (_, k) =>
      scrapeBodies(k, SERIES, STEPS, start),
    );
    const requests = perSender.flat(2);
    const bytes = requests.reduce((a, b) => a + b.length, 0);
    console.log(
      `stream: ${SERIES} series x ${STEPS} scrapes = ${SERIES * STEPS} samples, ${requests.length} requests, ${(bytes / MB).toFixed(1)} MiB snappy`,
    );

    // Each round starts every receiver afresh (so each creates the stream's series, as the
    // first scrapes of a new Prometheus would) in turn; the medians of the rounds are compared.
    const rw = remoteWriteHeaders(TOKEN);
    /** A peer server started afresh on a free port, fed the stream at /api/v1/write, stopped. */
    const peerRun = async (
      command: string,
      args: (port: number) => string[],
      readyPath: string,
    ): Promise<RunResult> => {
      const port = await freePort();
      const p = spawn(command, args(port), { stdio: 'ignore' });
      children.push(p);
      await waitReady(`http://127.0.0.1:${port}${readyPath}`, command);
      const result = await measured(
        () => cpuMs(p.pid!),
        `http://127.0.0.1:${port}/api/v1/write`,
        perSender,
        rw,
      );
      await stopChild(p);
      return result;
    };
    const sides: Array<{ name: string; run: () => Promise<RunResult> }> = [
      {
        name: 'Prometheus 2.42',
        run: () =>
          peerRun(
            'prometheus',
            (port) => [
              `--config.file=/dev/null`,
              `--storage.tsdb.path=${join(dir, `prom-${port}`)}`,
              `--web.listen-address=127.0.0.1:${port}`,
              '--web.enable-remote-write-receiver',
            ],
            '/-/ready',
          ),
      },
      {
        name: 'VictoriaMetrics',
        run: () =>
          peerRun(
            'victoria-metrics',
            (port) => [
              `-storageDataPath=${join(dir, `vm-${port}`)}`,
              `-httpListenAddr=127.0.0.1:${port}`,
              '-retentionPeriod=100y',
            ],
            '/health',
          ),
      },
      ...[1, SHARDS].map((shards) => ({
        name: `thanos-edge, ${shards} shard${shards > 1 ? 's' : ''}`,
        run: async () => {
          const w = await startWorker({
            // Several shards in an isolate apart from the Worker's, as on the platform (BENCH_SHARD_ISOLATE=0: the same isolate).
            receive: process.env.BENCH_SHARD_ISOLATE !== '0' && shards > 1 ? 'isolate' : true,
            vars: { STORE_TOKEN: TOKEN, RECEIVE_SHARDS: String(shards), QUERY_FRONTEND: 'false' },
          });
          workers.push(w);
          const result = await measured(
            workerdCpuMs,
            new URL('/api/v1/receive', w.url).href,
            perSender,
            rw,
          );
          await w.stop();
          return result;
        },
      })),
    ];
    const runs = sides.map(() => [] as RunResult[]);
    for (let round = 1; round <= RUNS; round++) {
      for (const [k, side] of sides.entries()) runs[k]!.push(await side.run());
      process.stderr.write(`round ${round}/${RUNS} done\n`);
    }
    const med = (k: number, f: (r: RunResult) => number): number => median(runs[k]!.map(f));
    const prom = med(0, (r) => r.rate);
    const promCpu = med(0, (r) => r.cpuPerMillion);
    // workerd runs every isolate on one thread; the Go servers use every core: CPU per sample
    // compares the work each does, samples/s what a sender sees on this machine.
    console.log(
      `\n| receiver | samples/s (median of ${RUNS}) | rounds | vs Prometheus | CPU ms per 1M samples | CPU vs Prometheus | cores busy |\n|---|---|---|---|---|---|---|`,
    );
    for (const [k, side] of sides.entries()) {
      const m = med(k, (r) => r.rate);
      const cpu = med(k, (r) => r.cpuPerMillion);
      console.log(
        `| ${side.name} | ${Math.round(m)} | ${runs[k]!.map((r) => Math.round(r.rate / 1000) + 'k').join(' ')} | ${(m / prom).toFixed(2)}x | ${Math.round(cpu)} | ${(cpu / promCpu).toFixed(2)}x | ${med(k, (r) => r.cores).toFixed(2)} |`,
      );
    }
    // The same runs in two phases: the first scrape makes every series (as a new Prometheus's
    // first scrapes, or a rollout's churn do); the later ones append to series the receiver has.
    const promCreate = med(0, (r) => r.createRate);
    const promAppend = med(0, (r) => r.appendRate);
    console.log(
      `\n| receiver | first scrape: new series/s | vs Prometheus | later ${STEPS - 1} scrapes: samples/s | vs Prometheus |\n|---|---|---|---|---|`,
    );
    for (const [k, side] of sides.entries()) {
      const c = med(k, (r) => r.createRate);
      const a = med(k, (r) => r.appendRate);
      console.log(
        `| ${side.name} | ${Math.round(c)} | ${(c / promCreate).toFixed(2)}x | ${Math.round(a)} | ${(a / promAppend).toFixed(2)}x |`,
      );
    }

    // Memory: one shard in its own isolate, growing by MEM_STEP series with 4 scrapes each.
    const inspectorPort = await freePort();
    const w = await startWorker({
      receive: 'isolate',
      inspectorPort,
      vars: { STORE_TOKEN: TOKEN, RECEIVE_SHARDS: '1', QUERY_FRONTEND: 'false' },
    });
    workers.push(w);
    // The shard's isolate exists once a write reached it.
    await ingest(
      new URL('/api/v1/receive', w.url).href,
      [bodies(0, 1, 1, Date.now() - 3_600_000)],
      rw,
    );
    const heap = await connectIsolate(inspectorPort, `core:user:${RECEIVE_WORKER}`);
    console.log('\n| active series | shard live heap |\n|---|---|');
    let at100: number | undefined;
    let failedAt: number | undefined;
    for (let n = MEM_STEP; n <= MEM_MAX; n += MEM_STEP) {
      const memStart = Date.now() - 4 * INTERVAL;
      // Series n-MEM_STEP .. n: shift the series label so each step adds new series.
      const shifted = Array.from({ length: CONCURRENCY }, (_, k) => {
        const out: Uint8Array[] = [];
        let batch: WriteSeriesInput[] = [];
        for (let s = 0; s < 4; s++) {
          for (let i = k; i < MEM_STEP; i += CONCURRENCY) {
            batch.push({
              labels: labelsOf(n - MEM_STEP + i),
              samples: [[memStart + s * INTERVAL, i]],
            });
            if (batch.length === BATCH) {
              out.push(remoteWriteBody(batch));
              batch = [];
            }
          }
          if (batch.length) {
            out.push(remoteWriteBody(batch));
            batch = [];
          }
        }
        return out;
      });
      try {
        await ingest(new URL('/api/v1/receive', w.url).href, shifted, rw);
      } catch (err) {
        // workerd resets an isolate past its memory limit and drops the connection.
        console.log(`| ${n} | write failed: ${String(err).slice(0, 120)} |`);
        failedAt = n;
        break;
      }
      // An idle isolate answers no inspector call: keep it answering small requests while its
      // live heap is read (a forced GC in the middle of a write batch has crashed workerd here).
      const poke = async (): Promise<void> => {
        for (let i = 0; i < 10; i++) {
          await (await fetch(new URL('/metrics', w.url))).text();
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const { peak } = await heap.peakLiveDuring(poke, 200);
      console.log(`| ${n} | ${(peak / MB).toFixed(1)} MB |`);
      if (peak >= 100 * MB) {
        at100 = n;
        break;
      }
    }
    heap.close();
    const lastGood = (failedAt ?? MEM_MAX + MEM_STEP) - MEM_STEP;
    console.log(
      at100
        ? `\none shard reached 100 MB at ${at100} active series`
        : `\none shard stayed under 100 MB up to ${lastGood} active series` +
            (failedAt ? `; the write to ${failedAt} failed (isolate reset?)` : ''),
    );
  } finally {
    for (const w of workers) await w.stop().catch(() => undefined);
    await Promise.all(children.map(stopChild));
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

await main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
