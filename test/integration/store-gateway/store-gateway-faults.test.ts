/**
 * Faults at the store gateway in workerd: a corrupt block is skipped with a warning frame that
 * names it while the other blocks answer; with the abort strategy the request fails; a malformed
 * request body is a 400 with a message.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import type { SeriesFrame, SeriesRequest } from '../../../core/storeapi/store.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function series(hour: number) {
  const t = Float64Array.from({ length: 240 }, (_, i) => T0 + hour * HOUR + i * 15_000);
  return ['a', 'b'].map((job) => ({
    labels: labelsFrom({ __name__: 'up', job }),
    timestamps: t,
    values: t.map(() => 1),
  }));
}

const request = (over: Partial<SeriesRequest> = {}): SeriesRequest => ({
  minTime: T0,
  maxTime: T0 + 3 * HOUR,
  matchers: [newMatcher('=', '__name__', 'up')],
  maxResolutionWindow: 0,
  aggregates: ['raw'],
  partialResponseStrategy: 'warn',
  skipChunks: false,
  ...over,
});

describe('store gateway faults in workerd', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  let store: HttpStore;
  let corrupt: string;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    worker = await startWorker({ vars: { STORE_TOKEN: 't' } });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const ids: string[] = [];
    for (const hour of [0, 1]) {
      const meta = await writeBlock(dirSinkFactory(tmp.path), series(hour), {
        minTime: T0 + hour * HOUR,
        maxTime: T0 + (hour + 1) * HOUR,
      });
      ids.push(meta!.ulid);
    }
    // Corrupt the second block's index: flip bytes in the middle (its checksums no longer match).
    corrupt = ids[1]!;
    const index = join(tmp.path, corrupt, 'index');
    const bytes = new Uint8Array(await readFile(index));
    for (let i = 64; i < bytes.length - 64; i += 7) bytes[i] = bytes[i]! ^ 0x5a;
    await writeFile(index, bytes);
    for (const id of ids)
      await uploadBlock(bucket, join(tmp.path, id), {
        labels: { cluster: 'x' },
        source: 'sidecar',
      });
    store = new HttpStore(worker.url.toString(), { token: 't' });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await tmp?.remove();
  });

  const collect = async (it: AsyncIterable<SeriesFrame>): Promise<SeriesFrame[]> => {
    const out: SeriesFrame[] = [];
    for await (const f of it) out.push(f);
    return out;
  };

  it('skips a corrupt block with a warning naming it, and answers from the others', async () => {
    const frames = await collect(store.series(request()));
    const warnings = frames
      .filter((f) => f.type === 'warning')
      .map((f) => (f.type === 'warning' ? f.warning : ''));
    expect(warnings.join('\n')).toContain(corrupt);
    const series = frames.filter((f) => f.type === 'series');
    expect(series).toHaveLength(2);
    for (const s of series) {
      if (s.type !== 'series') continue;
      // Only the good block's hour is there.
      expect(s.chunks.every((c) => c.maxTime < T0 + HOUR)).toBe(true);
    }
  });

  it('lists a block a read found corrupt as skipped, not served, in /api/v1/blocks', async () => {
    await collect(store.series(request()));
    const body = (await (await worker.fetch('/api/v1/blocks')).json()) as {
      data: {
        blocks: Array<{ ulid: string }>;
        skipped: Array<{ id: string; reason: string; detail: string }>;
      };
    };
    expect(body.data.blocks.map((b) => b.ulid)).not.toContain(corrupt);
    expect(body.data.blocks).toHaveLength(1);
    const skipped = body.data.skipped.find((s) => s.id === corrupt);
    expect(skipped?.reason).toBe('corrupt');
    expect(skipped?.detail).toContain(corrupt);
  });

  it('fails the request on a corrupt block with the abort strategy', async () => {
    await expect(
      collect(store.series(request({ partialResponseStrategy: 'abort' }))),
    ).rejects.toThrow(new RegExp(corrupt));
  });

  it('answers a malformed request with 400 and a message', async () => {
    const res = await worker.fetch('/api/v1/store/series', {
      method: 'POST',
      body: Uint8Array.of(0x0a, 0xff, 0xff, 0xff),
      headers: { authorization: 'Bearer t', 'content-type': 'application/x-protobuf' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errorType: string; error: string };
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toMatch(/malformed SeriesRequest/);
  });
});
