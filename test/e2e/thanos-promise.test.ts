/**
 * Thanos's promise, end to end with real processes: two Prometheus 2.42 replicas (cluster="c1",
 * replica="a"|"b", 10s blocks) scrape the same two targets, each with a `thanos-edge sidecar`
 * agent shipping to one s3rver bucket; the Worker (workerd, S3 mode) queries both agents and the
 * bucket; a second Worker's only store is the first one.
 *
 * Shows: dedup gives one series per target (no replica label), dedup=false two; with replica a's
 * Prometheus stopped queries still complete with the same deduplicated answer and no gaps; blocks
 * from both agents land in the bucket, and after they are deleted from Prometheus's TSDB their
 * raw samples are answered from the bucket, identical to before; the querier of queriers gives
 * the same answers (global view).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { getAll } from '../../core/objstore/bucket.ts';
import { parseMeta } from '../../core/tsdb/meta.ts';
import { bucketFromConfigText } from '../../sidecar-agent/objstore/from-config.ts';
import { startRetainingPrometheus, type RetainingPrometheus } from '../helpers/prometheus-pair.ts';
import { startLivePrometheus, type LivePrometheus } from '../helpers/prometheus-live.ts';
import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.ts';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../helpers/worker.ts';

const TOKEN = 'e2e-token';
const REPLICAS = ['a', 'b'] as const;
/** Replica b's `--storage.tsdb.retention.time`: a block goes ~30s after it is cut. */
const RETENTION = '20s';
type Replica = (typeof REPLICAS)[number];

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}
interface ApiBody {
  status: string;
  data: { resultType: string; result: Sample[] };
  warnings?: string[];
  error?: string;
}

type Agent = AgentProcess;

interface ShippedBlock {
  readonly id: string;
  readonly replica: string;
  readonly minTime: number;
  readonly maxTime: number;
}

/** A scrape target: `demo_requests_total` counts its own scrapes, so every sample is distinct. */
async function startTarget(): Promise<{ server: Server; addr: string }> {
  let hits = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    hits++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE demo_requests_total counter\ndemo_requests_total ${hits}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, addr: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function startAgent(prom: { url: string; tsdbPath: string }, configPath: string): Promise<Agent> {
  return startAgentProcess({
    prometheusUrl: prom.url,
    tsdbPath: prom.tsdbPath,
    objstoreConfigPath: configPath,
    token: TOKEN,
  });
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Series sorted by their labels, for order-independent comparison. */
function sorted(result: Sample[]): Sample[] {
  return [...result].sort((x, y) =>
    JSON.stringify(x.metric).localeCompare(JSON.stringify(y.metric)),
  );
}

let tmp: TmpDir;
let s3: S3rverHandle;
let bucket: Bucket;
const targets: Array<{ server: Server; addr: string }> = [];
/** Replica a can be stopped and started again; replica b deletes old blocks itself (retention). */
let promA: LivePrometheus;
let promB: RetainingPrometheus;
const proms = new Map<Replica, LivePrometheus | RetainingPrometheus>();
const agents = new Map<Replica, Agent>();
let w1: WorkerHandle;
let w2: WorkerHandle;
let tStart = 0;

async function api(
  w: WorkerHandle,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: ApiBody }> {
  const res = await w.fetch(`${path}?${new URLSearchParams(params)}`);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as ApiBody };
  } catch {
    throw new Error(`${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
}

async function ok(w: WorkerHandle, path: string, params: Record<string, string>): Promise<ApiBody> {
  const { status, body } = await api(w, path, params);
  expect(status, JSON.stringify(body).slice(0, 500)).toBe(200);
  expect(body.status).toBe('success');
  return body;
}

/** Blocks in the bucket (complete: meta.json present), read straight from S3. */
async function shippedBlocks(): Promise<ShippedBlock[]> {
  const out: ShippedBlock[] = [];
  for await (const dir of bucket.iter('')) {
    const id = dir.replace(/\/$/, '');
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) || !(await bucket.exists(`${id}/meta.json`))) continue;
    const meta = parseMeta(await getAll(bucket, `${id}/meta.json`), id);
    out.push({
      id,
      replica: meta.thanos?.labels?.replica ?? '',
      minTime: meta.minTime,
      maxTime: meta.maxTime,
    });
  }
  return out.sort((x, y) => x.minTime - y.minTime);
}

beforeAll(async () => {
  tmp = await makeTmpDir('thanos-promise-');
  s3 = await startS3rver({ buckets: ['thanos'] });
  bucket = bucketFromConfigText(s3.objstoreYaml('thanos'));
  const configPath = join(tmp.path, 'objstore.yml');
  await writeFile(configPath, s3.objstoreYaml('thanos'));
  targets.push(await startTarget(), await startTarget());
  tStart = Date.now();
  // Each is put in `proms` as soon as it runs, so afterAll stops it even if the other fails.
  await Promise.all([
    startLivePrometheus({
      dir: join(tmp.path, 'prom-a'),
      externalLabels: { cluster: 'c1', replica: 'a' },
      blockDuration: '10s',
      extraTargets: { app: targets.map((t) => t.addr) },
    }).then((p) => void proms.set('a', (promA = p))),
    startRetainingPrometheus({
      dir: join(tmp.path, 'prom-b'),
      externalLabels: { cluster: 'c1', replica: 'b' },
      blockDuration: '10s',
      retention: RETENTION,
      targets: { app: targets.map((t) => t.addr) },
    }).then((p) => void proms.set('b', (promB = p))),
  ]);
  for (const r of REPLICAS) agents.set(r, await startAgent(proms.get(r)!, configPath));
  w1 = await startWorker({
    r2: false,
    vars: {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'thanos',
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      STORES: REPLICAS.map((r) => agents.get(r)!.url).join(','),
      STORES_TOKEN: TOKEN,
      STORE_TOKEN: TOKEN,
      SYNC_INTERVAL: '1s',
      STORE_RESPONSE_TIMEOUT: '5s',
    },
  });
  // The querier of queriers: its only store is the first Worker's StoreAPI (its own bucket is the
  // harness's empty in-memory R2 binding), so every sample it answers came through w1.
  w2 = await startWorker({
    vars: {
      STORES_TOKEN: TOKEN,
      STORES: String(w1.url),
      STORE_TOKEN: TOKEN,
      STORE_RESPONSE_TIMEOUT: '10s',
    },
  });
}, 150_000);

afterAll(async () => {
  await w2?.stop().catch(() => undefined);
  await w1?.stop().catch(() => undefined);
  for (const a of agents.values()) {
    if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGTERM');
    await Promise.race([a.exit, new Promise((r) => setTimeout(r, 10_000))]);
    if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGKILL');
  }
  for (const p of proms.values()) await p.stop().catch(() => undefined);
  for (const t of targets) await new Promise((r) => t.server.close(r));
  await s3?.stop();
  await tmp?.remove();
}, 60_000);

describe('the Thanos promise (two Prometheus replicas, two agents, one bucket, two Workers)', () => {
  /** A time both replicas were scraping, fixed once so answers can be compared later. */
  let tFixed = 0;
  let dedupAtFixed: Sample[] = [];
  let rawAtFixed: Sample[] = [];
  /** Replica a's shipped block whose raw samples must survive local deletion. */
  let oldBlock: ShippedBlock | undefined;
  let oldQuery: Record<string, string> = {};
  let oldAnswer: Sample[] = [];
  /** Replica b's shipped block that its own retention will delete. */
  let bBlock: ShippedBlock | undefined;
  let bQuery: Record<string, string> = {};
  let bAnswer: Sample[] = [];

  it('dedup: one series per target without the replica label; dedup=false: two per target', async () => {
    // Both replicas must have scraped both targets for a while.
    await until('both replicas scraping both targets', 60_000, async () => {
      const b = await api(w1, '/api/v1/query', { query: 'up{job="app"} == 1', dedup: 'false' });
      return b.body.data?.result.length === 4 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000));
    tFixed = Date.now() / 1000 - 2;
    const q = { query: 'up{job="app"}', time: String(tFixed) };
    const dedup = await ok(w1, '/api/v1/query', q);
    expect(sorted(dedup.data.result).map((s) => s.metric)).toEqual(
      targets
        .map((t) => ({ __name__: 'up', cluster: 'c1', instance: t.addr, job: 'app' }))
        .sort((x, y) => x.instance.localeCompare(y.instance)),
    );
    expect(dedup.data.result.map((s) => s.value![1])).toEqual(['1', '1']);
    const raw = await ok(w1, '/api/v1/query', { ...q, dedup: 'false' });
    expect(raw.data.result).toHaveLength(4);
    for (const t of targets) {
      expect(
        raw.data.result
          .filter((s) => s.metric.instance === t.addr)
          .map((s) => s.metric.replica)
          .sort(),
      ).toEqual(['a', 'b']);
    }
    dedupAtFixed = sorted(dedup.data.result);
    rawAtFixed = sorted(raw.data.result);
  }, 90_000);

  it('blocks from both agents land in the bucket and the Worker sees them', async () => {
    // A "full" block: cut after both targets were scraped and at least 5s long (the first block
    // of a fresh Prometheus can be a few ms up to the next 10s boundary).
    const full = (b: ShippedBlock): boolean => b.minTime >= tStart && b.maxTime - b.minTime >= 5000;
    const blocks = await until(
      '2 shipped blocks from each replica, one of them full',
      90_000,
      async () => {
        const b = await shippedBlocks();
        return REPLICAS.every(
          (r) =>
            b.filter((x) => x.replica === r).length >= 2 &&
            b.some((x) => x.replica === r && full(x)),
        )
          ? b
          : undefined;
      },
    );
    // Each shipped block still on disk is also what the agent recorded in its shipper state
    // (replica b's retention may already have removed its oldest ones).
    for (const r of REPLICAS) {
      const state = JSON.parse(
        await readFile(join(proms.get(r)!.tsdbPath, 'thanos.shipper.json'), 'utf8'),
      ) as { uploaded: string[] };
      const local = new Set(await proms.get(r)!.blocks());
      for (const blk of blocks.filter((x) => x.replica === r && local.has(x.id)))
        expect(state.uploaded).toContain(blk.id);
    }
    const seen = await until('the Worker to list every shipped block', 30_000, async () => {
      const res = await w1.fetch('/api/v1/blocks');
      const body = (await res.json()) as { data: { blocks: Array<{ ulid: string }> } };
      const ids = new Set(body.data.blocks.map((m) => m.ulid));
      return blocks.every((b) => ids.has(b.id)) ? ids : undefined;
    });
    expect(seen.size).toBeGreaterThanOrEqual(4);

    // Pick replica a's first shipped block that holds scrapes of our targets and remember its
    // raw samples as answered now (Prometheus still has the block locally).
    oldBlock = blocks.find((b) => b.replica === 'a' && full(b));
    expect(oldBlock).toBeDefined();
    const span = oldBlock!.maxTime - oldBlock!.minTime - 1;
    oldQuery = {
      query: `demo_requests_total{replica="a"}[${span}ms]`,
      time: String((oldBlock!.maxTime - 1) / 1000),
      dedup: 'false',
    };
    oldAnswer = sorted((await ok(w1, '/api/v1/query', oldQuery)).data.result);
    expect(oldAnswer.map((s) => s.metric.instance).sort()).toEqual(
      targets.map((t) => t.addr).sort(),
    );
    // Scraped every second: a 5-10s block holds at least 4 samples per target.
    for (const s of oldAnswer) expect(s.values!.length).toBeGreaterThanOrEqual(4);

    // Replica b's newest full block: its raw samples as Prometheus b itself answers them now,
    // with the external labels the agent adds; the Worker must agree.
    const latestB = await promB.blocks();
    bBlock = blocks.filter((b) => b.replica === 'b' && full(b) && latestB.includes(b.id)).pop();
    expect(bBlock).toBeDefined();
    const bSpan = bBlock!.maxTime - bBlock!.minTime - 1;
    bQuery = {
      query: `demo_requests_total{replica="b"}[${bSpan}ms]`,
      time: String((bBlock!.maxTime - 1) / 1000),
      dedup: 'false',
    };
    const own = (await (
      await fetch(
        `${promB.url}/api/v1/query?${new URLSearchParams({ query: `demo_requests_total[${bSpan}ms]`, time: bQuery.time! })}`,
      )
    ).json()) as ApiBody;
    expect(own.status).toBe('success');
    bAnswer = sorted(
      own.data.result.map((x) => ({ ...x, metric: { ...x.metric, cluster: 'c1', replica: 'b' } })),
    );
    expect(bAnswer).toHaveLength(2);
    for (const x of bAnswer) expect(x.values!.length).toBeGreaterThanOrEqual(4);
    expect(sorted((await ok(w1, '/api/v1/query', bQuery)).data.result)).toEqual(bAnswer);
  }, 150_000);

  it('replica a stopped: queries complete with the same deduplicated answer and no gaps', async () => {
    // Replica a first cuts a block after the old one, so that block can stay on disk later.
    await until(`Prometheus a to cut a block after ${oldBlock!.id}`, 60_000, async () =>
      (await promA.blocks()).some((id) => id > oldBlock!.id) ? true : undefined,
    );
    const tStop = Date.now() / 1000;
    await promA.stop();
    // Give replica b a few scrapes on its own.
    await new Promise((r) => setTimeout(r, 4000));
    const now = Date.now() / 1000;

    const { status, body } = await api(w1, '/api/v1/query', {
      query: 'up{job="app"}',
      time: String(tFixed),
    });
    expect(status).toBe(200);
    expect(body.status).toBe('success');
    expect(sorted(body.data.result)).toEqual(dedupAtFixed);
    // The dead replica's agent shows up as a warning, not as a failed query.
    expect(body.warnings?.join('\n') ?? '').toContain(new URL(agents.get('a')!.url).host);

    // Latest answer: still one series per target, now from replica b only.
    const latest = await ok(w1, '/api/v1/query', { query: 'up{job="app"}', time: String(now - 1) });
    expect(latest.data.result.map((s) => s.value![1])).toEqual(['1', '1']);
    expect(latest.data.result.every((s) => s.metric.replica === undefined)).toBe(true);

    // No gaps from the first comparison time through the stop (old blocks from the bucket,
    // recent data from the agents): every 1s step sees 1..7 deduplicated samples in a 5s window
    // (one replica gives ~5, both merged naively ~10, a gap none). The window is wider than the
    // up-to-3s hole Thanos's dedup leaves where it switches replicas: after following a, it seeks
    // b past a's last sample plus twice a's sample spacing, so as not to raise the sample rate.
    const start = Math.floor(tFixed);
    expect(tStop - start).toBeGreaterThan(10);
    const range = await ok(w1, '/api/v1/query_range', {
      query: 'count_over_time(up{job="app"}[5s])',
      start: String(start),
      end: String(Math.floor(now - 1)),
      step: '1',
    });
    expect(range.data.result).toHaveLength(2);
    const steps = Math.floor(now - 1) - start + 1;
    for (const s of range.data.result) {
      expect(s.values!.length).toBe(steps);
      for (const [, v] of s.values!) {
        expect(Number(v)).toBeGreaterThanOrEqual(1);
        expect(Number(v)).toBeLessThanOrEqual(7);
      }
    }
  }, 60_000);

  it('long-term storage: after retention deletes a block in Prometheus, the bucket answers identically', async () => {
    await until(
      `Prometheus b's retention (${RETENTION}) to delete ${bBlock!.id}`,
      90_000,
      async () => ((await promB.blocks()).includes(bBlock!.id) ? undefined : true),
    );
    const local = (await (
      await fetch(
        `${promB.url}/api/v1/query?${new URLSearchParams({ query: bQuery.query!.replace('{replica="b"}', ''), time: bQuery.time! })}`,
      )
    ).json()) as ApiBody;
    expect(local.status).toBe('success');
    expect(local.data.result).toEqual([]);
    expect(sorted((await ok(w1, '/api/v1/query', bQuery)).data.result)).toEqual(bAnswer);
  }, 120_000);

  it('long-term storage: shipped blocks removed from a stopped Prometheus are answered from the bucket', async () => {
    const prom = promA;
    const shipped = new Set(
      (await shippedBlocks()).filter((b) => b.replica === 'a').map((b) => b.id),
    );
    expect(shipped.has(oldBlock!.id)).toBe(true);
    // Prometheus is stopped: delete shipped blocks from its TSDB, as retention would. The newest
    // block stays: it tells the restarted head where its data begins, so the WAL replay does not
    // bring the deleted samples back (it would without any block).
    const onDisk = await prom.blocks();
    expect(onDisk.at(-1)).not.toBe(oldBlock!.id);
    for (const id of onDisk.slice(0, -1))
      if (shipped.has(id)) await rm(join(prom.tsdbPath, id), { recursive: true });
    expect(await prom.blocks()).not.toContain(oldBlock!.id);
    await prom.start();
    // Prometheus itself no longer has those samples...
    const local = (await (
      await fetch(
        `${prom.url}/api/v1/query?${new URLSearchParams({ query: oldQuery.query!.replace('{replica="a"}', ''), time: oldQuery.time! })}`,
      )
    ).json()) as ApiBody;
    expect(local.status).toBe('success');
    expect(local.data.result).toEqual([]);
    // ...but the Worker answers them from the bucket, identical to before.
    const after = await ok(w1, '/api/v1/query', oldQuery);
    expect(sorted(after.data.result)).toEqual(oldAnswer);
  }, 90_000);

  it('global view: a Worker whose only store is the first Worker gives the same answers', async () => {
    const q = { query: 'up{job="app"}', time: String(tFixed) };
    expect(sorted((await ok(w2, '/api/v1/query', q)).data.result)).toEqual(dedupAtFixed);
    expect(sorted((await ok(w2, '/api/v1/query', { ...q, dedup: 'false' })).data.result)).toEqual(
      rawAtFixed,
    );
    expect(sorted((await ok(w2, '/api/v1/query', oldQuery)).data.result)).toEqual(oldAnswer);
    expect(sorted((await ok(w2, '/api/v1/query', bQuery)).data.result)).toEqual(bAnswer);
    // A deduplicated range query over the old block's time (replica a from the bucket, replica b
    // from its agent or the bucket) matches too.
    const rq = {
      query: 'sum by (instance) (rate(demo_requests_total[3s]))',
      start: String(oldBlock!.minTime / 1000 + 3),
      end: String(oldBlock!.maxTime / 1000),
      step: '1',
    };
    const r1 = sorted((await ok(w1, '/api/v1/query_range', rq)).data.result);
    expect(r1).toHaveLength(2);
    for (const series of r1) {
      expect(series.values!.length).toBeGreaterThanOrEqual(3);
      // Two replicas scrape each target every second: its counter rises by 2/s (a scrape late by
      // a loaded machine moves a 3s rate by a quarter; a dedup that double counts or drops a
      // replica moves it by half or more).
      for (const [, v] of series.values!) {
        expect(Number(v)).toBeGreaterThan(1.3);
        expect(Number(v)).toBeLessThan(2.7);
      }
    }
    expect(sorted((await ok(w2, '/api/v1/query_range', rq)).data.result)).toEqual(r1);
  }, 60_000);
});
