/**
 * Issue #18 finding 5 in workerd: while the bucket cannot be listed, the store gateway keeps
 * serving the blocks of its last good listing and says so in every answer's warnings, naming when
 * that listing was made (the same time however many re-lists fail); once the bucket answers again
 * the warning goes. The outage is a FAKE: a proxy in front of s3rver answers 503 (s3rver cannot be
 * made to fail), after the blocks have been read once so the answers need no object reads.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.ts';
import { T0, SPAN, makeOracleData, toOpenMetrics } from '../../helpers/promql-oracle-data.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { s3Bucket } from '../../helpers/scale-stack.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

interface Answer {
  status: string;
  data: { result: unknown[] };
  warnings?: string[];
}

const STALE = /bucket re-list failed, serving the blocks listed at (\S+):/;

describe('a bucket that cannot be listed for a while', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  let proxy: FaultProxy;
  let worker: WorkerHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir('stale-sync-');
    s3 = await startS3rver();
    const { db, blocks } = await promtoolCreateBlocks(toOpenMetrics(makeOracleData()), tmp.path);
    for (const b of blocks) {
      await uploadBlock(s3Bucket(s3), join(db, b), {
        labels: { replica: 'r0' },
        source: 'sidecar',
      });
    }
    proxy = await startFaultProxy({ target: s3.endpoint });
    worker = await startWorker({
      r2: false,
      vars: {
        S3_ENDPOINT: proxy.url,
        S3_BUCKET: 'thanos',
        S3_REGION: s3.region,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        SYNC_INTERVAL: '1s',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await proxy?.stop();
    await s3?.stop();
    await tmp?.remove();
  });

  const path = `/api/v1/query_range?${new URLSearchParams({
    query: 'sum by (room) (humidity)',
    start: String(T0 / 1000),
    end: String((T0 + SPAN) / 1000),
    step: '60',
    // Past the query frontend's results cache: the store gateway must answer each time.
    cache: 'false',
  })}`;
  const ask = async (): Promise<Answer> => {
    const res = await worker.fetch(path);
    const body = (await res.json()) as Answer;
    expect(res.status, JSON.stringify(body).slice(0, 400)).toBe(200);
    return body;
  };
  const staleMetric = async (): Promise<number> => {
    const text = await (await worker.fetch('/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith('thanos_edge_bucket_store_sync_stale'));
    return Number(line?.split(' ').pop());
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('serves the last good listing, says since when, and recovers', async () => {
    const before = await ask();
    expect(before.data.result.length).toBeGreaterThan(0);
    expect(before.warnings ?? []).toEqual([]);
    // Read once more, so the answer below needs no object reads: only the re-list fails.
    expect((await ask()).data).toEqual(before.data);

    proxy.failNext(1_000_000);
    const outageStarted = Date.now();
    await sleep(1500);
    const first = await ask();
    expect(first.data).toEqual(before.data);
    const at1 = STALE.exec((first.warnings ?? []).join('\n'))?.[1];
    expect(at1, JSON.stringify(first.warnings)).toBeDefined();
    expect(Date.parse(at1!)).toBeLessThan(outageStarted);
    expect(await staleMetric()).toBe(1);

    // More failed re-lists (one every 5 s while it fails): the time named does not move.
    await sleep(6000);
    const later = await ask();
    expect(later.data).toEqual(before.data);
    expect(STALE.exec((later.warnings ?? []).join('\n'))?.[1]).toBe(at1);

    proxy.failNext(0);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const after = await ask();
      if ((after.warnings ?? []).length === 0) {
        expect(after.data).toEqual(before.data);
        break;
      }
      expect(Date.now(), JSON.stringify(after.warnings)).toBeLessThan(deadline);
      await sleep(500);
    }
    expect(await staleMetric()).toBe(0);
  }, 90_000);
});
