/**
 * A real Prometheus 2.42 remote-writes to the Worker (workerd, two receive shards, 30 s blocks so
 * cuts happen within the test), scraping itself and the Worker every second. Meanwhile one receive
 * shard is reset as the platform resets an evicted object, and the workerd process is SIGKILLed
 * and started again on the same port and storage while Prometheus keeps writing.
 *
 * Shows: every sample Prometheus holds is answered by the Worker, equal sample for sample (raw
 * range selectors, both sides), including a block cut before the kill; no sample lost, none
 * duplicated; blocks cut from the heads into the bucket, dumped with `promtool tsdb dump`, hold
 * exactly Prometheus's samples of their range.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { freePort } from '../../helpers/ports.ts';
import { PROMTOOL, run } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type StartWorkerOptions, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'receive-prom-token';
const TENANT = 'prom-a';
const BLOCK_MS = 30_000;

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Series key without the labels the receive path adds; samples as "t value" strings, NaNs left out. */
function normalise(m: Matrix): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of m) {
    const { tenant_id: _t, receive: _r, ...rest } = s.metric;
    const key = JSON.stringify(Object.entries(rest).sort());
    const values = s.values
      .filter(([, v]) => v !== 'NaN')
      .map(([t, v]) => `${Math.round(t * 1000)} ${v}`);
    if (values.length > 0) out.set(key, [...(out.get(key) ?? []), ...values]);
  }
  return out;
}

/** Samples `want` has that `got` lacks: how many, in how many series, at which distinct times. */
function missingSamples(
  want: Map<string, string[]>,
  got: Map<string, string[]>,
): { count: number; series: number; times: string[] } {
  let count = 0;
  let series = 0;
  const times = new Set<string>();
  for (const [k, v] of want) {
    const have = new Set(got.get(k) ?? []);
    const lost = v.filter((x) => !have.has(x));
    if (lost.length === 0) continue;
    series++;
    count += lost.length;
    for (const x of lost) times.add(x.split(' ')[0]!);
  }
  return { count, series, times: [...times].sort().slice(0, 40) };
}

async function matrix(
  base: string,
  q: string,
  time: number,
  headers: Record<string, string> = {},
): Promise<Matrix> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${time / 1000}`, {
    headers,
  });
  const body = (await r.json()) as { status: string; data: { result: Matrix }; error?: string };
  if (body.status !== 'success') throw new Error(`${base}: ${q}: ${body.error}`);
  return body.data.result;
}

describe('receiver fed by a real Prometheus', () => {
  let tmp: TmpDir;
  let prom: LivePrometheus;
  let worker: WorkerHandle;
  let port: number;
  let workerOpts: StartWorkerOptions;
  let started: number;

  beforeAll(async () => {
    tmp = await makeTmpDir('receive-prom-');
    port = await freePort();
    workerOpts = {
      receive: true,
      port,
      persistDir: join(tmp.path, 'state'),
      vars: {
        STORE_TOKEN: TOKEN,
        RECEIVE_SHARDS: '2',
        RECEIVE_BLOCK_DURATION: `${BLOCK_MS / 1000}s`,
        SYNC_INTERVAL: '2s',
        STORE_SHARDS: '0',
        QUERY_FRONTEND: 'false',
        // Debian's Prometheus 2.42 leaves out remote_write `headers` (checked: no THANOS-TENANT
        // reaches the server), so its tenant is the receiver's default one.
        RECEIVE_DEFAULT_TENANT: TENANT,
      },
    };
    worker = await startWorker(workerOpts);
    started = Date.now();
    prom = await startLivePrometheus({
      dir: join(tmp.path, 'prom'),
      externalLabels: {},
      blockDuration: '2h',
      extraTargets: { worker: [`127.0.0.1:${port}`] },
      remoteWrite: {
        url: `http://127.0.0.1:${port}/api/v1/receive`,
        token: TOKEN,
      },
    });
  });

  afterAll(async () => {
    await prom?.stop();
    await worker?.stop();
    await tmp?.remove();
  });

  /** Where a gap is: blocks in the bucket, what the store gateway serves, sender and receiver counters. */
  async function diagnose(
    missing: ReturnType<typeof missingSamples>,
    at: number,
    windowS: number,
  ): Promise<string> {
    const r2 = await worker.mf.getR2Bucket('BLOCKS', 'querier');
    const blocks: string[] = [];
    for (const o of (await r2.list({ limit: 1000 })).objects) {
      if (!o.key.endsWith('/meta.json')) continue;
      const meta = JSON.parse(await (await r2.get(o.key))!.text()) as BlockMeta;
      blocks.push(
        `${o.key.split('/')[0]} [${meta.minTime}, ${meta.maxTime}) receive=${meta.thanos?.labels.receive} series=${meta.stats?.numSeries} samples=${meta.stats?.numSamples} uploaded=${o.uploaded.toISOString()}`,
      );
    }
    const served = await (await worker.fetch('/api/v1/blocks')).text();
    const sent = await matrix(
      prom.url,
      '{__name__=~"prometheus_remote_storage_(samples_failed|samples_dropped|samples_retried|samples|highest_timestamp_in|queue_highest_sent_timestamp)_(total|seconds)"}',
      at,
    );
    const metricsText = await (await worker.fetch('/metrics')).text();
    return [
      `missing ${missing.count} samples in ${missing.series} series, timestamps ${missing.times.join(', ')}`,
      `window (${at - windowS * 1000}, ${at}], worker started ${started}`,
      `blocks:\n  ${blocks.sort().join('\n  ')}`,
      `store gateway /api/v1/blocks: ${served.slice(0, 3000)}`,
      `prometheus: ${JSON.stringify(sent.map((s) => [s.metric.__name__, (s as unknown as { value: unknown }).value]))}`,
      `prometheus log:\n${prom.log().slice(-30).join('\n')}`,
      metricsText
        .split('\n')
        .filter((l) => l.startsWith('thanos_receive') || l.startsWith('thanos_bucket_store_blocks'))
        .join('\n'),
    ].join('\n');
  }

  it('answers what Prometheus wrote, through a shard reset and a killed workerd, and cuts blocks promtool reads', async () => {
    await sleep(15_000);
    // A shard reset as on eviction: memory gone, the log replayed by the next instance.
    const ns = await worker.mf.getDurableObjectNamespace('RECEIVE_SHARD', 'querier');
    const stub = ns.get(ns.idFromName('receive-shard-0'));
    await stub.fetch('https://x/shard/abort', { method: 'POST' }).catch(() => undefined);
    await sleep(10_000);
    // A block cut before the kill must be read from the bucket after it (the head no longer has
    // it): the kill waits for the first cut.
    for (let i = 0; ; i++) {
      const m = await (await worker.fetch('/metrics')).text();
      if (/thanos_receive_blocks_cut_total\{shard="\d"\} [1-9]/.test(m)) break;
      if (i >= 90) throw new Error(`no block cut within 90 s:\n${m}`);
      await sleep(1000);
    }
    // The whole workerd process killed, then started on the same port and storage (Durable
    // Objects and bucket).
    const pids = execFileSync('pgrep', ['-P', String(process.pid), 'workerd'])
      .toString()
      .trim()
      .split('\n');
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await worker.stop().catch(() => undefined);
    await sleep(3000);
    worker = await startWorker(workerOpts);
    // Long enough for ranges to complete and be cut (a range is cut half a block after its end).
    await sleep(2 * BLOCK_MS);

    const at = Date.now() - 10_000;
    // From before the first scrape: the first, shortest range is in the comparison too.
    const windowS = Math.ceil((at - started) / 1000) + 1;
    const q = `{job=~"prometheus|worker"}[${windowS}s]`;
    // Prometheus has sent everything up to `at` once our answer stops growing.
    let ours = normalise([]);
    for (let i = 0; i < 30; i++) {
      const got = normalise(await matrix(worker.url.origin, q, at));
      const n = [...got.values()].reduce((a, v) => a + v.length, 0);
      const prev = [...ours.values()].reduce((a, v) => a + v.length, 0);
      ours = got;
      if (n > 0 && n === prev) break;
      await sleep(2000);
    }
    const theirs = normalise(await matrix(prom.url, q, at));
    const total = [...theirs.values()].reduce((a, v) => a + v.length, 0);
    expect(total).toBeGreaterThan(20_000);
    expect(ours.size).toBe(theirs.size);
    const missing = missingSamples(theirs, ours);
    // CI shows only the end of the output: the diagnosis goes into the assertion's message.
    const diagnosis = missing.count > 0 ? await diagnose(missing, at, windowS) : '';
    for (const [k, v] of theirs) expect(ours.get(k), `${k}\n${diagnosis}`).toEqual(v);

    const metrics = await (await worker.fetch('/metrics')).text();
    expect(metrics).toMatch(/thanos_receive_blocks_cut_total\{shard="\d"\} [1-9]/);
    // The shards running now started from their logs after the kill.
    expect(metrics).toMatch(/thanos_receive_replayed_samples\{shard="0"\} [1-9]/);
    expect(metrics).toMatch(/thanos_receive_replayed_samples\{shard="1"\} [1-9]/);

    // Blocks in the bucket, read by promtool, equal Prometheus's samples for their range.
    const r2 = await worker.mf.getR2Bucket('BLOCKS', 'querier');
    const listedAt = Date.now();
    const listed = await r2.list({ limit: 1000 });
    const metas = listed.objects.filter((o) => o.key.endsWith('/meta.json'));
    expect(metas.length).toBeGreaterThan(0);
    const db = join(tmp.path, 'blocks');
    await mkdir(join(db, 'wal'), { recursive: true });
    // Each shard cuts its own block of a range (its share of the series): together they hold it.
    const ranges = new Map<string, { minTime: number; maxTime: number }>();
    for (const m of metas) {
      const ulid = m.key.split('/')[0]!;
      const meta = JSON.parse(await (await r2.get(m.key))!.text()) as BlockMeta;
      expect(meta.thanos?.source).toBe('receive');
      expect(meta.thanos?.labels.tenant_id).toBe(TENANT);
      expect(meta.thanos?.labels.receive).toMatch(/^[01]$/);
      for (const o of listed.objects.filter((x) => x.key.startsWith(`${ulid}/`))) {
        const file = join(db, o.key);
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(file, new Uint8Array(await (await r2.get(o.key))!.arrayBuffer()));
      }
      // A range Prometheus only partly wrote, or one a shard may still be cutting, is not compared.
      if (meta.minTime >= started && meta.maxTime + BLOCK_MS / 2 + 8000 <= listedAt) {
        ranges.set(`${meta.minTime}`, meta);
      }
    }
    let checked = 0;
    for (const range of ranges.values()) {
      const dump = await run(PROMTOOL, [
        'tsdb',
        'dump',
        `--min-time=${range.minTime}`,
        `--max-time=${range.maxTime - 1}`,
        db,
      ]);
      expect(dump.code, dump.stderr).toBe(0);
      const fromBlock = new Map<string, string[]>();
      for (const line of dump.stdout.toString().split('\n')) {
        const mm = /^\{(.*)\} (\S+) (\d+)$/.exec(line);
        if (!mm || mm[2] === 'NaN') continue;
        const labels: Record<string, string> = {};
        for (const p of mm[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
          labels[p[1]!] = JSON.parse(`"${p[2]!}"`) as string;
        }
        if (labels.job !== 'prometheus' && labels.job !== 'worker') continue;
        const key = JSON.stringify(Object.entries(labels).sort());
        fromBlock.set(key, [...(fromBlock.get(key) ?? []), `${mm[3]} ${mm[2]}`]);
      }
      // Prometheus 2.42's range selector is closed on both ends: [minTime, maxTime - 1].
      const want = normalise(
        await matrix(
          prom.url,
          `{job=~"prometheus|worker"}[${range.maxTime - 1 - range.minTime}ms]`,
          range.maxTime - 1,
        ),
      );
      expect(fromBlock.size).toBe(want.size);
      for (const [k, v] of want) {
        expect(
          (fromBlock.get(k) ?? []).map((x) => x.split(' ')[0]),
          k,
        ).toEqual(v.map((x) => x.split(' ')[0]));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  }, 300_000);
});
