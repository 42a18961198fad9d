/**
 * The remote-write contract of the Worker's receiver (workerd; two receive shards, to which the
 * Worker sends decoded parts, and one, which decodes the sender's request itself), request by
 * request: 204 once stored; 400 for what a retry cannot fix, naming the series, with nothing
 * already stored disturbed; 401 without the token; 429 past the tenant series limit; 413 past
 * the size limit; tenants apart (a tenant cannot write into another's label space).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snappyEncode } from '../../../sidecar-agent/prometheus/snappy.ts';
import {
  encodeWriteRequest,
  remoteWriteBody,
  remoteWriteHeaders,
  type WriteSeriesInput,
} from '../../helpers/remote-write.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'receive-test-token';
const NOW = Date.now();

describe.each([2, 1])('receiver remote-write contract, %i receive shard(s)', (shards) => {
  let worker: WorkerHandle;

  beforeAll(async () => {
    worker = await startWorker({
      receive: true,
      vars: {
        STORE_TOKEN: TOKEN,
        RECEIVE_SHARDS: String(shards),
        RECEIVE_MAX_SERIES_PER_TENANT: '50',
        RECEIVE_MAX_REQUEST_BYTES: '64KiB',
        QUERY_FRONTEND: 'false',
      },
    });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  const write = (series: WriteSeriesInput[], tenant?: string, body?: Uint8Array) =>
    worker.fetch('/api/v1/receive', {
      method: 'POST',
      headers: remoteWriteHeaders(TOKEN, tenant),
      body: (body ?? remoteWriteBody(series)) as Uint8Array<ArrayBuffer>,
    });
  const query = async (q: string, time = NOW / 1000) => {
    const r = await worker.fetch(`/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`);
    expect(r.status).toBe(200);
    return (
      (await r.json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      }
    ).data.result;
  };
  const series = (job: string, samples: Array<[number, number]>): WriteSeriesInput => ({
    labels: { __name__: 'rw_test', job },
    samples,
  });

  it('stores a write and answers it through the querier, with tenant and receive labels', async () => {
    const r = await write(
      [
        series('a', [
          [NOW - 2000, 1],
          [NOW - 1000, 2],
        ]),
        series('b', [[NOW - 1000, 7]]),
      ],
      'team-a',
    );
    expect(r.status).toBe(204);
    const res = await query('rw_test');
    expect(res.map((s) => [s.metric.job, s.metric.tenant_id, s.value[1]]).sort()).toEqual([
      ['a', 'team-a', '2'],
      ['b', 'team-a', '7'],
    ]);
  });

  it('rejects bad data with 400 naming the series, leaving stored samples as they were', async () => {
    const ooo = await write([series('a', [[NOW - 1500, 5]])], 'team-a');
    expect(ooo.status).toBe(400);
    expect(await ooo.text()).toMatch(/out of order sample.*job="a"/);
    const dup = await write([series('a', [[NOW - 1000, 99]])], 'team-a');
    expect(dup.status).toBe(400);
    expect(await dup.text()).toMatch(/duplicate sample for timestamp.*job="a"/);
    // An exact resend (what a sender does after a lost ack) is accepted and changes nothing.
    expect((await write([series('a', [[NOW - 1000, 2]])], 'team-a')).status).toBe(204);
    const badSnappy = await write([], 'team-a', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1]));
    expect(badSnappy.status).toBe(400);
    expect(await badSnappy.text()).toMatch(/snappy/);
    const badProto = await write([], 'team-a', snappyEncode(new Uint8Array([0x0a, 0x09, 0x0a])));
    expect(badProto.status).toBe(400);
    const unsorted = await write(
      [],
      'team-a',
      snappyEncode(
        encodeWriteRequest(
          [{ labels: { job: 'z', __name__: 'rw_test' }, samples: [[NOW, 1]] }],
          true,
        ),
      ),
    );
    expect(unsorted.status).toBe(400);
    expect(await unsorted.text()).toMatch(/not sorted.*job="z"/);
    const res = await query('rw_test{job="a"}');
    expect(res.map((s) => s.value[1])).toEqual(['2']);
    const range = await query('count_over_time(rw_test{job="a"}[1m])');
    expect(range[0]!.value[1]).toBe('2');
  });

  it('asks for the bearer token', async () => {
    const r = await worker.fetch('/api/v1/receive', {
      method: 'POST',
      headers: remoteWriteHeaders(undefined, 'team-a'),
      body: remoteWriteBody([series('x', [[NOW, 1]])]),
    });
    expect(r.status).toBe(401);
    const wrong = await worker.fetch('/api/v1/write', {
      method: 'POST',
      headers: remoteWriteHeaders('nope', 'team-a'),
      body: remoteWriteBody([series('x', [[NOW, 1]])]),
    });
    expect(wrong.status).toBe(401);
    expect(await query('rw_test{job="x"}')).toEqual([]);
  });

  it('keeps tenants apart: a tenant label in the data is overridden by the writer’s tenant', async () => {
    const sneaky: WriteSeriesInput = {
      labels: { __name__: 'rw_test', job: 'a', tenant_id: 'team-a' },
      samples: [[NOW - 1000, 666]],
    };
    expect((await write([sneaky], 'team-b')).status).toBe(204);
    const a = await query('rw_test{tenant_id="team-a", job="a"}');
    expect(a.map((s) => s.value[1])).toEqual(['2']);
    const b = await query('rw_test{tenant_id="team-b"}');
    expect(b.map((s) => [s.metric.tenant_id, s.value[1]])).toEqual([['team-b', '666']]);
    // No header: Thanos's default tenant.
    expect((await write([series('d', [[NOW - 1000, 3]])])).status).toBe(204);
    expect((await query('rw_test{job="d"}'))[0]!.metric.tenant_id).toBe('default-tenant');
  });

  it('answers 429 past the tenant series limit and 413 past the size limit', async () => {
    const many = Array.from({ length: 120 }, (_, i) => series(`many-${i}`, [[NOW - 1000, i]]));
    const r = await write(many, 'team-limit');
    expect(r.status).toBe(429);
    expect(await r.text()).toMatch(/team-limit.*exceed the limit of 50/);
    // Job names that do not repeat, so the compressed body stays past the 64 KiB limit.
    const big = Array.from({ length: 6000 }, (_, i) =>
      series(`big-${i}-${(Math.imul(i + 1, 2654435761) >>> 0).toString(16)}`, [[NOW - 1000, i]]),
    );
    const bigBody = remoteWriteBody(big);
    expect(bigBody.length).toBeGreaterThan(64 << 10);
    const huge = await write(big, 'team-big', bigBody);
    expect(huge.status).toBe(413);
    expect(await query('count(rw_test{tenant_id="team-big"})')).toEqual([]);
    // Chunked, with no declared length (3x the 64 KiB limit): not kept past the limit, read to
    // its end and refused with 413 (a body past 4x the limit is cut off).
    const chunked = await worker.fetch('/api/v1/receive', {
      method: 'POST',
      headers: remoteWriteHeaders(TOKEN, 'team-big'),
      body: new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(64 << 10).fill(i));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.text()).toMatch(/exceeds the limit of/);
  });
});

describe('RECEIVE_SHARDS=0: the receiver off, with its binding still there', () => {
  let worker: WorkerHandle;
  const stores = async (w: WorkerHandle): Promise<string[]> => {
    const r = await w.fetch('/api/v1/stores');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { data: Record<string, Array<{ name: string }>> };
    return Object.values(body.data)
      .flat()
      .map((s) => s.name);
  };

  beforeAll(async () => {
    worker = await startWorker({
      receive: true,
      vars: { STORE_TOKEN: TOKEN, RECEIVE_SHARDS: '0', QUERY_FRONTEND: 'false' },
    });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('answers remote write 404 naming the setting, and queries ask no receive shard', async () => {
    const r = await worker.fetch('/api/v1/receive', {
      method: 'POST',
      headers: remoteWriteHeaders(TOKEN),
      body: remoteWriteBody([{ labels: { __name__: 'rw_off', job: 'a' }, samples: [[NOW, 1]] }]),
    });
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('RECEIVE_SHARDS=0');
    expect((await stores(worker)).filter((n) => n.startsWith('receive-shard'))).toEqual([]);
    const q = await worker.fetch(`/api/v1/query?query=up&time=${NOW / 1000}`);
    expect(q.status).toBe(200);
    expect(((await q.json()) as { status: string }).status).toBe('success');
  });

  it('lists the receive shard when on (the default of 1)', async () => {
    const on = await startWorker({
      receive: true,
      vars: { STORE_TOKEN: TOKEN, QUERY_FRONTEND: 'false' },
    });
    try {
      expect((await stores(on)).filter((n) => n.startsWith('receive-shard'))).toEqual([
        'receive-shard 0/1',
      ]);
    } finally {
      await on.stop();
    }
  });
});
