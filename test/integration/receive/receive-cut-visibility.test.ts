/**
 * A block cut must not open a gap for readers: the receive shard uploads the range's block and
 * keeps the range in its head until every store gateway has re-listed the bucket (two
 * SYNC_INTERVALs). Here the store gateway has listed the bucket once, before the cut, and will not
 * list it again during the test (SYNC_INTERVAL=1h): every sample written must still be answered
 * right after the cut, from the head, and the blocks must be in the bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteWriteBody, remoteWriteHeaders } from '../../helpers/remote-write.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'receive-cut-token';
const BLOCK_MS = 30_000;
const STEP = 1000;

describe('receiver block cut and readers', () => {
  let worker: WorkerHandle;

  beforeAll(async () => {
    worker = await startWorker({
      receive: true,
      vars: {
        STORE_TOKEN: TOKEN,
        RECEIVE_SHARDS: '2',
        RECEIVE_BLOCK_DURATION: `${BLOCK_MS / 1000}s`,
        SYNC_INTERVAL: '1h',
        STORE_SHARDS: '0',
        QUERY_FRONTEND: 'false',
      },
    });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  const rangeQuery = async (start: number, end: number): Promise<Map<string, number[]>> => {
    const q = new URLSearchParams({
      query: 'cut_test',
      start: String(start / 1000),
      end: String(end / 1000),
      step: `${STEP / 1000}s`,
    });
    const r = await worker.fetch(`/api/v1/query_range?${q}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    return new Map(
      body.data.result.map((s) => [s.metric.job!, s.values.map(([t]) => Math.round(t * 1000))]),
    );
  };

  it('answers a cut range from the head until the store gateway lists its block', async () => {
    // Four block ranges of samples, in the past, for series spread over both shards.
    const end = Math.floor(Date.now() / BLOCK_MS) * BLOCK_MS - 1000;
    const start = end - 4 * BLOCK_MS;
    const jobs = ['a', 'b', 'c', 'd', 'e', 'f'];
    const times: number[] = [];
    for (let t = start; t <= end; t += STEP) times.push(t);
    const w = await worker.fetch('/api/v1/receive', {
      method: 'POST',
      headers: remoteWriteHeaders(TOKEN),
      body: remoteWriteBody(
        jobs.map((job) => ({
          labels: { __name__: 'cut_test', job },
          samples: times.map((t) => [t, t / STEP] as const),
        })),
      ),
    });
    expect(w.status).toBe(204);

    // The store gateway lists the bucket now (no blocks yet) and not again for an hour.
    const before = await rangeQuery(start, end);
    expect([...before.keys()].sort()).toEqual(jobs);
    for (const job of jobs) expect(before.get(job)).toEqual(times);

    // Cut what is ready on every shard (the alarm may have done some already).
    const ns = await worker.mf.getDurableObjectNamespace('RECEIVE_SHARD', 'querier');
    for (const i of [0, 1]) {
      const r = await ns.get(ns.idFromName(`receive-shard-${i}`)).fetch('https://x/shard/cut', {
        method: 'POST',
      });
      const cut = (await r.json()) as { blocks: number; error: string };
      expect(cut.error).toBe('');
      expect(cut.blocks).toBeGreaterThan(0);
    }
    const r2 = await worker.mf.getR2Bucket('BLOCKS', 'querier');
    const metas = (await r2.list({ limit: 1000 })).objects.filter((o) =>
      o.key.endsWith('/meta.json'),
    );
    // Each shard cut the ranges its head spans 1.5 blocks past: at least two per shard.
    expect(metas.length).toBeGreaterThanOrEqual(4);

    // Right after the cut, with the store gateway's listing still the empty one: nothing missing.
    const after = await rangeQuery(start, end);
    expect([...after.keys()].sort()).toEqual(jobs);
    for (const job of jobs) expect(after.get(job), job).toEqual(times);
  });
});
