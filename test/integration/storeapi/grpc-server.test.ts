/**
 * The gRPC server's call handling, with a grpc-js client and raw HTTP/2: a deadline and a client
 * cancel stop the store's work (its signal aborts and no more frames are pulled), errors become
 * gRPC statuses naming the store, unknown methods and encodings are UNIMPLEMENTED, old connections
 * get a GOAWAY, and stop() lets a call in flight finish within the grace period. The store is the
 * memory store behind one fault injector (named as such): a delay before each frame, so that a
 * call is still running when the deadline or the cancel comes.
 */
import { connect } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { encodeSeriesRequest } from '../../../core/storeapi/codec.ts';
import { MemoryStore } from '../../../core/storeapi/memory-store.ts';
import type {
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from '../../../core/storeapi/store.ts';
import { newGrpcMetrics } from '../../../sidecar-agent/grpc/metrics.ts';
import { GrpcServer } from '../../../sidecar-agent/grpc/server.ts';
import { storeMethods } from '../../../sidecar-agent/grpc/store-service.ts';
import { rawGrpcCall } from '../../helpers/grpc-raw-client.ts';
import { Random } from '../../helpers/random.ts';
import { GrpcStore } from '../../helpers/grpc-store-client.ts';

/** FAULT INJECTOR: the memory store, with `delayMs` before each series frame; records aborts. */
class SlowStore implements Store {
  pulled = 0;
  aborted = 0;
  readonly #inner: Store;
  readonly #delayMs: number;
  constructor(inner: Store, delayMs: number) {
    this.#inner = inner;
    this.#delayMs = delayMs;
  }
  info(signal?: AbortSignal): Promise<StoreInfo> {
    return this.#inner.info(signal);
  }
  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    signal?.addEventListener('abort', () => this.aborted++, { once: true });
    for await (const f of this.#inner.series(request, signal)) {
      await new Promise((r) => setTimeout(r, this.#delayMs));
      this.pulled++;
      yield f;
    }
  }
  labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#inner.labelNames(request, signal);
  }
  labelValues(name: string, request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#inner.labelValues(name, request, signal);
  }
}

const SERIES = 40;
const memory = new MemoryStore(
  Array.from({ length: SERIES }, (_, i) => ({
    labels: labelsFrom({ __name__: 'm', i: String(i).padStart(3, '0') }),
    // The bytes are never decoded on this path: any payload will do.
    chunks: [
      { minTime: 1000, maxTime: 2000, raw: { encoding: 'XOR', data: Uint8Array.of(0, 1, i) } },
    ],
  })),
  { externalLabels: labelsFrom({ cluster: 'c1' }), storeType: 'store' },
);
const request: SeriesRequest = {
  minTime: 0,
  maxTime: 1e12,
  matchers: [newMatcher('=', '__name__', 'm')],
  maxResolutionWindow: 0,
  aggregates: ['raw'],
  partialResponseStrategy: 'abort',
  skipChunks: false,
};

let slow: SlowStore;
let server: GrpcServer;
let client: GrpcStore;
const registry = new Registry();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function handled(code: string): Promise<number> {
  const m = await registry.getSingleMetric('grpc_server_handled_total')!.get();
  return m.values
    .filter((v) => v.labels.grpc_code === code && v.labels.grpc_method === 'Series')
    .reduce((a, v) => a + v.value, 0);
}

beforeAll(async () => {
  slow = new SlowStore(memory, 50);
  server = await GrpcServer.listen({
    host: '127.0.0.1',
    port: 0,
    methods: storeMethods(slow, { componentType: 'store' }),
    name: 'store slow-test',
    metrics: newGrpcMetrics(registry),
    maxConnectionAgeMs: 1500,
  });
  client = new GrpcStore(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

describe('gRPC server call handling', () => {
  it('a deadline ends the call with DEADLINE_EXCEEDED and stops the store', async () => {
    const before = { pulled: slow.pulled, aborted: slow.aborted };
    const call = client.seriesCall(request, { deadline: Date.now() + 300 });
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      call.on('data', () => undefined);
      call.on('error', resolve);
      call.on('end', () => resolve(new Error('ended without error') as grpc.ServiceError));
    });
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await sleep(200);
    expect(slow.aborted).toBe(before.aborted + 1);
    const pulled = slow.pulled - before.pulled;
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(SERIES);
    await sleep(300);
    expect(slow.pulled - before.pulled, 'no frames pulled after the deadline').toBe(pulled);
    expect(server.activeCalls).toBe(0);
  });

  it('the server-side deadline alone (grpc-timeout header) ends the call, the status from the server', async () => {
    const before = await handled('DeadlineExceeded');
    const r = await rawGrpcCall(
      server.address,
      '/thanos.Store/Series',
      encodeSeriesRequest(request),
      {
        timeout: '200m',
      },
    );
    expect(r.status).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(r.message).toBe('context deadline exceeded');
    expect(r.messages.length).toBeGreaterThan(0); // a slow store's frames trickle out
    expect(r.messages.length).toBeLessThan(SERIES);
    expect(await handled('DeadlineExceeded')).toBe(before + 1);
  });

  it('a client cancel stops the store', async () => {
    await sleep(100); // the frame in flight of the call before
    const before = { pulled: slow.pulled, aborted: slow.aborted };
    const call = client.seriesCall(request);
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.on('error', () => undefined);
    call.cancel();
    await sleep(300);
    expect(slow.aborted).toBe(before.aborted + 1);
    const pulled = slow.pulled - before.pulled;
    expect(pulled).toBeLessThan(SERIES);
    await sleep(300);
    expect(slow.pulled - before.pulled).toBe(pulled);
    expect(server.activeCalls).toBe(0);
    expect(await handled('Canceled')).toBeGreaterThanOrEqual(1);
  });

  it('a malformed request is INVALID_ARGUMENT, its message naming the store', async () => {
    const r = await rawGrpcCall(
      server.address,
      '/thanos.Store/Series',
      Uint8Array.of(0x1a, 0x05, 0x0a), // field 3 (matchers), a length past the end
    );
    expect(r.status).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.message).toMatch(/^store slow-test: malformed SeriesRequest/);
  });

  it('unknown methods and unknown encodings are UNIMPLEMENTED; the Info services answer', async () => {
    const unknown = await rawGrpcCall(server.address, '/thanos.Store/Nope', new Uint8Array(0));
    expect(unknown.status).toBe(grpc.status.UNIMPLEMENTED);
    expect(unknown.message).toContain('/thanos.Store/Nope');
    const session = connect(`http://${server.address}`);
    try {
      const s = session.request({
        ':method': 'POST',
        ':path': '/thanos.Store/Info',
        'content-type': 'application/grpc',
        'grpc-encoding': 'br',
      });
      s.end(Buffer.from([1, 0, 0, 0, 0]));
      const headers = await new Promise<Record<string, unknown>>((r) => s.once('response', r));
      expect(headers['grpc-status']).toBe(String(grpc.status.UNIMPLEMENTED));
      expect(headers['grpc-accept-encoding']).toBeUndefined(); // trailers-only answer
    } finally {
      session.close();
    }
    const info = await client.info();
    expect(info.labelSets).toEqual([labelsFrom({ cluster: 'c1' })]);
    expect(info.storeType).toBe('store');
  });

  it('a connection older than the max connection age gets a GOAWAY', async () => {
    const session = connect(`http://${server.address}`);
    try {
      const goaway = new Promise<number>((r) => session.once('goaway', (code) => r(code)));
      const t0 = Date.now();
      // Use the connection, so it is open on the server side.
      await rawGrpcCall(server.address, '/thanos.Store/Info', new Uint8Array(0), { session });
      expect(await goaway).toBe(0); // NO_ERROR: a graceful GOAWAY
      expect(Date.now() - t0).toBeGreaterThan(1000);
    } finally {
      session.destroy();
    }
  });

  it('large answers arrive intact, also two at once (output buffers are reused between batches)', async () => {
    const rnd = new Random(11);
    const big = new MemoryStore(
      Array.from({ length: 3000 }, (_, i) => ({
        labels: labelsFrom({ __name__: 'big', i: String(i).padStart(5, '0') }),
        chunks: [
          {
            minTime: 1000,
            maxTime: 2000,
            raw: { encoding: 'XOR' as const, data: rnd.bytes(900 + (i % 300)) },
          },
        ],
      })),
    );
    const s3 = await GrpcServer.listen({
      host: '127.0.0.1',
      port: 0,
      methods: storeMethods(big, { componentType: 'store' }),
      name: 'store big',
    });
    const c3 = new GrpcStore(s3.address);
    try {
      const r = { ...request, matchers: [newMatcher('=', '__name__', 'big')] };
      const want = [];
      for await (const f of big.series(r)) want.push(f);
      const read = async () => {
        const got: SeriesFrame[] = [];
        for await (const f of c3.series(r)) got.push(f);
        return got;
      };
      // Compared as hex text: toEqual over megabytes of Uint8Array elements takes a minute.
      const digest = (fs: SeriesFrame[]) =>
        fs.map((f) =>
          f.type === 'series'
            ? `${JSON.stringify(f.labels)} ${f.chunks.map((c) => `${c.minTime}-${c.maxTime}:${Buffer.from(c.raw!.data).toString('hex')}`).join()}`
            : f.type,
        );
      const [a, b] = await Promise.all([read(), read()]);
      expect(a.length).toBe(3000);
      expect(digest(a)).toEqual(digest(want));
      expect(digest(b)).toEqual(digest(want));
      expect(digest(await read())).toEqual(digest(want));
    } finally {
      c3.close();
      await s3.stop(0);
    }
  });

  it('stop(grace) refuses new calls and lets the call in flight finish', async () => {
    const s2 = await GrpcServer.listen({
      host: '127.0.0.1',
      port: 0,
      methods: storeMethods(new SlowStore(memory, 10), { componentType: 'store' }),
      name: 'store grace-test',
    });
    const c2 = new GrpcStore(s2.address);
    try {
      const frames: SeriesFrame[] = [];
      let first: () => void = () => undefined;
      const started = new Promise<void>((r) => (first = r));
      const reading = (async () => {
        for await (const f of c2.series(request)) {
          frames.push(f);
          first();
        }
      })();
      await started; // the call is in flight
      await s2.stop(5000);
      await reading;
      expect(frames.length).toBe(SERIES);
      await expect(c2.info()).rejects.toThrow(/UNAVAILABLE|No connection|ECONNREFUSED/);
    } finally {
      c2.close();
    }
  });
});
