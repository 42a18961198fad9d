/**
 * The Worker gzips its own answers in workerd (worker/compress.ts): a client that takes gzip gets
 * the WASM encoder's member (its header names no OS, byte 9 = 255, where zlib's says Unix), which
 * decodes to the very bytes an identity client gets, and a client that names no encoding (curl)
 * gets the plain body; with RESPONSE_COMPRESSION=edge the answer is
 * left to Miniflare's emulation of Cloudflare's edge (zlib); an error answer is compressed as
 * well, and a client that drops a compressed answer halfway leaves the Worker answering.
 */
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const T0 = 1_700_000_000_000;
const SERIES = 300;
const SAMPLES = 480;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET that keeps the body as sent (fetch would decode it). */
function get(base: URL, path: string, acceptEncoding: string | undefined): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
    const req = request(new URL(path, base), { headers });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads the first bytes of a gzip answer, then drops the connection. */
function dropHalfway(base: URL, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers: { 'accept-encoding': 'gzip' } });
    req.on('response', (res) => {
      res.once('data', (d: Buffer) => {
        req.destroy();
        resolve(d.length);
      });
    });
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 0 : reject(err),
    );
    req.end();
  });
}

describe('answers gzip-encoded by the Worker', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  let edge: WorkerHandle;

  async function upload(w: WorkerHandle, dir: string): Promise<void> {
    const t = Float64Array.from({ length: SAMPLES }, (_, i) => T0 + i * 15_000);
    const meta = await writeBlock(
      dirSinkFactory(dir),
      Array.from({ length: SERIES }, (_, s) => ({
        labels: labelsFrom({ __name__: 'requests_total', instance: `host-${s}:9100`, job: 'api' }),
        timestamps: t,
        values: t.map((_, i) => i * (s + 1) + (i % 7) / 3),
      })),
    );
    const bucket = new R2Bucket((await w.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    await uploadBlock(bucket, `${dir}/${meta!.ulid}`, {
      labels: { cluster: 'c' },
      source: 'sidecar',
    });
  }

  beforeAll(async () => {
    tmp = await makeTmpDir();
    worker = await startWorker();
    edge = await startWorker({ vars: { RESPONSE_COMPRESSION: 'edge' } });
    await upload(worker, `${tmp.path}/a`);
    await upload(edge, `${tmp.path}/b`);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await edge?.stop();
    await tmp?.remove();
  });

  const range = `/api/v1/query_range?${new URLSearchParams({
    query: 'rate(requests_total[5m])',
    start: String(T0 / 1000 + 300),
    end: String(T0 / 1000 + SAMPLES * 15),
    step: '15',
  })}`;

  it('gzips a range answer with its own encoder, decoding to the identity answer', async () => {
    const plain = await get(worker.url, range, 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const answer = JSON.parse(plain.body.toString()) as { data: { result: unknown[] } };
    expect(answer.data.result).toHaveLength(SERIES);

    const zipped = await get(worker.url, range, 'gzip, deflate, br');
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-length']).toBeUndefined();
    expect(String(zipped.headers['vary'])).toMatch(/accept-encoding/i);
    expect(zipped.body[8]).toBe(4);
    expect(zipped.body[9]).toBe(0xff);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
  });

  it('answers a client that sends no Accept-Encoding (curl) with the plain body', async () => {
    const plain = await get(worker.url, range, 'identity');
    const bare = await get(worker.url, range, undefined);
    expect(bare.headers['content-encoding']).toBeUndefined();
    expect(bare.body.equals(plain.body)).toBe(true);
  });

  it('leaves compression to the edge with RESPONSE_COMPRESSION=edge', async () => {
    const plain = await get(edge.url, range, 'identity');
    const zipped = await get(edge.url, range, 'gzip');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body[9]).not.toBe(0xff);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });

  it('compresses an error answer too, in the shape Prometheus gives it', async () => {
    const bad = await get(
      worker.url,
      '/api/v1/query_range?query=rate(x[5m]&start=1&end=2&step=1',
      'gzip',
    );
    expect(bad.status).toBe(400);
    const body = JSON.parse(
      (bad.headers['content-encoding'] === 'gzip' ? gunzipSync(bad.body) : bad.body).toString(),
    ) as { status: string; errorType: string };
    expect(body).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it('keeps answering after a client drops a compressed answer halfway', async () => {
    for (let i = 0; i < 3; i++) expect(await dropHalfway(worker.url, range)).toBeGreaterThan(0);
    const plain = await get(worker.url, range, 'identity');
    const zipped = await get(worker.url, range, 'gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });
});
