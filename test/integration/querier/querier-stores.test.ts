/**
 * The querier's fan-out in workerd with misbehaving stores, and querier-of-querier: stores that
 * answer 500 or send a corrupt frame become warnings naming them (or an error with
 * partial_response=false) while the bucket's data is returned; a second Worker whose only store
 * is the first gives the same answers.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { frame } from '../../../core/storeapi/framing.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/**
 * A fake StoreAPI endpoint: the faults it injects (HTTP 500, a frame that is not protobuf) are
 * ones no real store here can be made to produce on demand.
 */
async function fakeStore(mode: '500' | 'corrupt'): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/api/v1/store/info') {
      res.writeHead(500).end('{"status":"error","error":"info broken"}');
      return;
    }
    if (mode === '500') {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"status":"error","errorType":"internal","error":"disk on fire"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end(Buffer.from(frame(Uint8Array.of(0x0a, 0x05, 0xff, 0xff))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

interface ApiBody {
  status: string;
  data: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      values?: Array<[number, string]>;
      value?: [number, string];
    }>;
  };
  warnings?: string[];
  errorType?: string;
  error?: string;
}

describe('querier fan-out faults and querier-of-querier in workerd', () => {
  let tmp: TmpDir;
  let first: WorkerHandle;
  let second: WorkerHandle;
  const fakes: Server[] = [];
  let failing: string;
  let corrupt: string;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    const f500 = await fakeStore('500');
    const fcorrupt = await fakeStore('corrupt');
    fakes.push(f500.server, fcorrupt.server);
    failing = f500.url;
    corrupt = fcorrupt.url;
    first = await startWorker({
      vars: { STORE_TOKEN: 't', STORES_TOKEN: 't', STORES: `${failing},${corrupt}` },
    });
    const bucket = new R2Bucket((await first.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const t = Float64Array.from({ length: 240 }, (_, i) => T0 + i * 15_000);
    const data = ['a', 'b', 'c'].map((job, k) => ({
      labels: labelsFrom({ __name__: 'requests_total', job }),
      timestamps: t,
      values: t.map((_, i) => i * (k + 1)),
    }));
    const meta = await writeBlock(dirSinkFactory(tmp.path), data);
    await uploadBlock(bucket, `${tmp.path}/${meta!.ulid}`, {
      labels: { cluster: 'one' },
      source: 'sidecar',
    });
    second = await startWorker({
      r2: false,
      vars: {
        STORE_TOKEN: 't',
        STORES: first.url.toString().replace(/\/$/, ''),
        STORES_TOKEN: 't',
        S3_ENDPOINT: '',
        S3_BUCKET: '',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    for (const s of fakes) await new Promise((r) => s.close(r));
    await tmp?.remove();
  });

  const get = async (
    w: WorkerHandle,
    path: string,
    params: Record<string, string>,
  ): Promise<{ status: number; body: ApiBody }> => {
    const res = await w.fetch(`${path}?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as ApiBody };
  };

  const range = {
    query: 'rate(requests_total[5m])',
    start: String(T0 / 1000 + 600),
    end: String(T0 / 1000 + 3000),
    step: '60',
  };

  it('returns the bucket data with warnings naming the failing and the corrupt store', async () => {
    const r = await get(first, '/api/v1/query_range', range);
    expect(r.status).toBe(200);
    expect(r.body.data.result).toHaveLength(3);
    const w = (r.body.warnings ?? []).join('\n');
    expect(w).toContain(failing.replace('http://', ''));
    expect(w).toContain(corrupt.replace('http://', ''));
    const strict = await get(first, '/api/v1/query_range', { ...range, partial_response: 'false' });
    expect(strict.body.status).toBe('error');
  });

  it('gives the same answers through a querier whose only store is the first querier', async () => {
    for (const params of [
      range,
      { query: 'sum by (job) (requests_total)', time: String(T0 / 1000 + 1800) },
    ]) {
      const path = 'step' in params ? '/api/v1/query_range' : '/api/v1/query';
      const a = await get(first, path, params);
      const b = await get(second, path, params);
      expect(b.status).toBe(200);
      expect(b.body.data).toEqual(a.body.data);
    }
    const series = await get(second, '/api/v1/series', { 'match[]': 'requests_total' });
    expect((series.body.data as unknown as unknown[]).length).toBe(3);
  });
});
