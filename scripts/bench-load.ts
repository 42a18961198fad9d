/**
 * `npm run bench:load` — load from Grafana dashboards: N concurrent "dashboard clients" (20, then
 * 50; BENCH_LOAD_CLIENTS=20,50) for BENCH_LOAD_SECONDS (30) each, against the Worker (workerd,
 * the data uploaded as blocks to its bucket) and Prometheus 2.42 (the same blocks), one side after
 * the other, same run. Each client loops over the shared dashboard QUERIES as 6h range queries at
 * the dashboard step (BENCH_STEP), POSTed as Grafana's Prometheus data source sends them, with the
 * window ending at "now" aligned down to the step, as a refreshing dashboard moves it (now runs on
 * from the end of the data). Ours runs with authentication on (a bearer token in AUTH_TOKENS; with
 * BENCH_TENANT, a token bound to that tenant and the blocks labelled with it).
 * Prints per side and client count: requests/s, p50, p99, errors, and peak RSS (sampled from
 * /proc every 100 ms: the workerd process tree, or the Prometheus process); then ours/Prometheus
 * ratios against the goal (throughput >= 0.8x, p99 <= 1.5x).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { R2Bucket, type R2BucketLike } from '../core/objstore/r2.ts';
import { isUlid } from '../core/tsdb/meta.ts';
import { uploadBlock } from '../sidecar-agent/objstore/upload-block.ts';
import { promtoolCreateBlocks } from '../test/helpers/promtool.ts';
import { makeTmpDir } from '../test/helpers/tmp.ts';
import { startWorker } from '../test/helpers/worker.ts';
import { QUERIES, SPAN, STEP, T0, freePort, makeData, openMetrics } from './lib/bench-data.ts';
import { childrenMap, procMemory, workerdPids } from './lib/proc.ts';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const CLIENTS = (process.env.BENCH_LOAD_CLIENTS ?? '20,50').split(',').map(Number);
const TENANT = process.env.BENCH_TENANT;
/** BENCH_QUERY_FILTER=regex: only the dashboard queries it matches (to tell which ones matter). */
const DASHBOARD = QUERIES.filter((q) => new RegExp(process.env.BENCH_QUERY_FILTER ?? '').test(q));
const TOKEN = 'bench-load-token-0123456789';
/** The goal of issue #18. */
const GOAL_THROUGHPUT = 0.8;
const GOAL_P99 = 1.5;

interface Side {
  readonly name: string;
  readonly base: string;
  readonly headers: Record<string, string>;
  /** Root pids whose process trees' RSS is summed. */
  readonly pids: () => Promise<number[]>;
}

interface Result {
  readonly side: string;
  readonly clients: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly peakRssMiB: number;
}

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

/** RSS of the trees under `roots` (the roots included). */
async function treeRss(roots: number[]): Promise<number> {
  const kids = await childrenMap();
  let sum = 0;
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    sum += await procMemory(p, 'VmRSS');
    stack.push(...(kids.get(p) ?? []));
  }
  return sum;
}

/** A form POST over node:http on `agent`; the status and the whole body. */
function post(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Grafana aligns a range query's start and end down to the step. */
const alignToStep = (ms: number): number => Math.floor(ms / STEP) * STEP;

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function runLoad(side: Side, clients: number, clock: () => number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  /** When (ms into the run) requests failed without an answer: together, or spread out. */
  const errorTimes: number[] = [];
  let firstError: string | undefined;
  const roots = await side.pids();
  let peak = await treeRss(roots);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await treeRss(roots));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // One kept-alive connection per client, as each Grafana user's browser or proxy holds its own.
  // BENCH_KEEPALIVE=false: a connection per request (`Connection: close`; an Agent without
  // keep-alive alone still reuses a socket for a request already waiting for one).
  const keepAlive = process.env.BENCH_KEEPALIVE !== 'false';
  const agent = new Agent({ keepAlive, maxSockets: clients });
  const headers = keepAlive ? side.headers : { ...side.headers, connection: 'close' };
  const began = performance.now();
  const until = began + SECONDS * 1000;
  const client = async (k: number): Promise<void> => {
    // Clients start at different panels, as dashboards refreshing at once would not line up.
    for (let i = k; performance.now() < until; i++) {
      const end = alignToStep(clock());
      const body = new URLSearchParams({
        query: DASHBOARD[i % DASHBOARD.length]!,
        start: String((end - SPAN) / 1000),
        end: String(end / 1000),
        step: String(STEP / 1000),
      });
      const t = performance.now();
      try {
        const res = await post(agent, `${side.base}/api/v1/query_range`, body.toString(), headers);
        const ok =
          res.status === 200 && (JSON.parse(res.body) as { status: string }).status === 'success';
        if (ok) latencies.push(performance.now() - t);
        else {
          errors++;
          firstError ??= `${res.status} ${res.body.slice(0, 200)}`;
        }
      } catch (err) {
        errors++;
        errorTimes.push(Math.round(performance.now() - began));
        firstError ??= `${String(err)} after ${(performance.now() - t).toFixed(0)} ms`;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
  const after = await side.pids();
  if (after.join() !== roots.join())
    firstError = `${side.name} restarted (pids ${roots.join()} → ${after.join()}); ${firstError ?? ''}`;
  const secs = (performance.now() - began) / 1000;
  agent.destroy();
  sampling = false;
  await sampler;
  latencies.sort((a, b) => a - b);
  return {
    side: side.name,
    clients,
    // Answered requests only: a failed one is not throughput, and its time is not a latency.
    rps: latencies.length / secs,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
    firstError:
      firstError && errorTimes.length > 0
        ? `${firstError}; unanswered at ms ${errorTimes.slice(0, 12).join(',')}${errorTimes.length > 12 ? ',…' : ''}`
        : firstError,
    peakRssMiB: peak / (1 << 20),
  };
}

async function main(): Promise<void> {
  const tmp = await makeTmpDir('bench-load-');
  const children: ChildProcess[] = [];
  const { t, series } = makeData();
  const { db } = await promtoolCreateBlocks(openMetrics(t, series), tmp.path);
  const worker = await startWorker({
    vars: {
      STORE_TOKEN: 'bench-store-token-0123456789',
      AUTH_TOKENS: TENANT ? `${TENANT}:${TOKEN}` : TOKEN,
      // Dashboards refresh faster than a per-tenant request rate meant for abuse allows.
      TENANT_REQUEST_RATE: process.env.BENCH_TENANT_REQUEST_RATE ?? '0',
      ...(process.env.BENCH_QUERY_MAX_CONCURRENCY
        ? { QUERY_MAX_CONCURRENCY: process.env.BENCH_QUERY_MAX_CONCURRENCY }
        : {}),
      // BENCH_WORKER_VARS="NAME=value,NAME=value": more Worker vars (to compare configurations).
      ...Object.fromEntries(
        (process.env.BENCH_WORKER_VARS ?? '')
          .split(',')
          .filter((kv) => kv.includes('='))
          .map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
      ),
    },
  });
  try {
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const labels: Record<string, string> = {
      replica: '0',
      ...(TENANT ? { tenant_id: TENANT } : {}),
    };
    for (const b of (await readdir(db)).filter(isUlid))
      await uploadBlock(bucket, join(db, b), { labels, source: 'sidecar' });

    const promPort = await freePort();
    const cfg = join(tmp.path, 'prometheus.yml');
    await writeFile(cfg, 'global:\n  scrape_interval: 1h\n');
    const prom = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${db}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--storage.tsdb.retention.time=100y',
      ],
      { stdio: 'ignore' },
    );
    children.push(prom);
    const promBase = `http://127.0.0.1:${promPort}`;
    await waitReady(`${promBase}/-/ready`, 'Prometheus');

    const sides: Side[] = [
      {
        name: 'thanos-edge',
        base: worker.url.toString().replace(/\/$/, ''),
        headers: { authorization: `Bearer ${TOKEN}` },
        pids: async () => {
          const pids = await workerdPids();
          if (pids.length === 0) throw new Error('no workerd process under this one');
          return pids;
        },
      },
      { name: 'prometheus', base: promBase, headers: {}, pids: async () => [prom.pid!] },
    ];
    // "Now" runs on from the end of the data, so every refresh moves the window as Grafana's does.
    const startedAt = Date.now();
    const clock = (): number => T0 + SPAN + (Date.now() - startedAt);
    console.log(
      `# ${series.length} series over 6h at 15s; ${DASHBOARD.length} dashboard queries, 6h range, step ${STEP / 1000}s; ${SECONDS}s per run; auth on for ours${TENANT ? `, tenant ${TENANT}` : ''}; the machine is shared`,
    );
    // One untimed pass per side: blocks opened, Prometheus's head and caches warm.
    for (const side of sides) await runLoad(side, 1, clock).catch(() => undefined);

    const results: Result[] = [];
    console.log(
      `${'side'.padEnd(12)} ${'clients'.padStart(7)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'peak RSS MiB'.padStart(13)}`,
    );
    for (const clients of CLIENTS) {
      for (const side of sides) {
        const r = await runLoad(side, clients, clock);
        results.push(r);
        console.log(
          `${r.side.padEnd(12)} ${String(r.clients).padStart(7)} ${r.rps.toFixed(1).padStart(8)} ${r.p50.toFixed(0).padStart(8)} ${r.p99.toFixed(0).padStart(8)} ${String(r.errors).padStart(7)} ${r.peakRssMiB.toFixed(0).padStart(13)}`,
        );
        if (r.firstError) console.log(`  first error: ${r.firstError}`);
      }
    }
    console.log('');
    for (const clients of CLIENTS) {
      const ours = results.find((r) => r.side === 'thanos-edge' && r.clients === clients)!;
      const peer = results.find((r) => r.side === 'prometheus' && r.clients === clients)!;
      const tput = ours.rps / peer.rps;
      const p99 = ours.p99 / peer.p99;
      console.log(
        `${clients} clients: throughput ours/Prometheus ${tput.toFixed(2)}x (goal >= ${GOAL_THROUGHPUT}x: ${tput >= GOAL_THROUGHPUT ? 'met' : 'NOT met'}), p99 ours/Prometheus ${p99.toFixed(2)}x (goal <= ${GOAL_P99}x: ${p99 <= GOAL_P99 ? 'met' : 'NOT met'}), peak RSS ours/Prometheus ${(ours.peakRssMiB / peer.peakRssMiB).toFixed(2)}x`,
      );
    }
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
