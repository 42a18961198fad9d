/**
 * Thanos's gRPC StoreAPI served by `thanos-edge sidecar` (over a real Prometheus 2.42) and by
 * `thanos-edge store` (over the blocks that sidecar shipped to s3rver), both run from the bin as
 * users run them. An independent client (@grpc/grpc-js with the test's own copy of Thanos's
 * storepb/infopb) lists and reads them, and every answer equals the HTTP StoreAPI's answer to
 * the same request: series labels and chunk samples decoded, label names and values; also with
 * gzip (grpc-js) and snappy (raw HTTP/2, Thanos's framed snappy) message encoding.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { newMatcher, type Matcher } from '../../../core/labels/matcher.ts';
import { allSeries } from '../../../core/promql/storage/queryable.ts';
import { tsBatchDecoder } from '../../../core/query/decoder.ts';
import { readSeries } from '../../../core/query/series-reader.ts';
import { decodeSeriesFrame, encodeSeriesRequest } from '../../../core/storeapi/codec.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import type { SeriesFrame, Store } from '../../../core/storeapi/store.ts';
import { startEdgeGrpcProcess, type EdgeGrpcProcess } from '../../helpers/edge-grpc-process.ts';
import { rawGrpcCall } from '../../helpers/grpc-raw-client.ts';
import { GrpcStore, type PbInfoInfo } from '../../helpers/grpc-store-client.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { seriesRequest } from '../../helpers/series-request.ts';

const TOKEN = 'grpc-storeapi-token';
const EXT = { cluster: 'grpc-test', replica: 'r0' };

let tmp: TmpDir;
let s3: S3rverHandle;
let prom: LivePrometheus;
let sidecar: EdgeGrpcProcess;
let store: EdgeGrpcProcess;
const clients: GrpcStore[] = [];

const req = seriesRequest;

async function collect(frames: AsyncIterable<SeriesFrame>): Promise<SeriesFrame[]> {
  const out: SeriesFrame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

async function* fromArray<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

/** Series frames as labels and the samples of their chunks within [mint, maxt]. */
async function decoded(frames: readonly SeriesFrame[], mint: number, maxt: number) {
  const series = await allSeries(
    readSeries(fromArray(frames), { mint, maxt, decoder: tsBatchDecoder }),
  );
  return series.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v] }));
}

const seriesOnly = (frames: readonly SeriesFrame[]) =>
  frames.flatMap((f) => (f.type === 'series' ? [f] : []));

async function metricValue(url: string, line: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => line.test(l))
    .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  tmp = await makeTmpDir('grpc-storeapi-');
  s3 = await startS3rver();
  const objstore = join(tmp.path, 'objstore.yml');
  await writeFile(objstore, s3.objstoreYaml());
  prom = await startLivePrometheus({ dir: tmp.path, externalLabels: EXT, blockDuration: '10s' });
  sidecar = await startEdgeGrpcProcess(
    [
      'sidecar',
      `--prometheus.url=${prom.url}`,
      `--tsdb.path=${prom.tsdbPath}`,
      `--objstore.config-file=${objstore}`,
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
      '--shipper.sync-interval=1s',
    ],
    { STORE_TOKEN: TOKEN },
  );
  // Two blocks shipped, then the store over the bucket.
  await waitFor('two blocks shipped', async () => {
    return (await metricValue(sidecar.httpUrl, /^thanos_shipper_uploads_total/)) >= 2;
  });
  store = await startEdgeGrpcProcess(
    [
      'store',
      `--objstore.config-file=${objstore}`,
      `--data-dir=${join(tmp.path, 'store-data')}`,
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
      '--sync-block-duration=2s',
      '--log.level=debug',
      '--index-cache.config-file=/nonexistent.yml',
    ],
    { STORE_TOKEN: TOKEN },
  );
  await waitFor('store ready', async () => (await fetch(`${store.httpUrl}/-/ready`)).ok);
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await store?.stop();
  await sidecar?.stop();
  await prom?.stop();
  await s3?.stop();
  await tmp?.remove();
});

interface Target {
  readonly name: 'sidecar' | 'store';
  readonly proc: () => EdgeGrpcProcess;
  readonly storeType: string;
  /** A time range with data, fixed for the test (both answers read the same samples). */
  readonly range: (http: Store) => Promise<{ mint: number; maxt: number }>;
}

const targets: Target[] = [
  {
    name: 'sidecar',
    proc: () => sidecar,
    storeType: 'sidecar',
    // The last 20 s (blocks and the head), ending 3 s ago: scrapes up to maxt are in.
    range: async () => {
      const maxt = Date.now() - 3000;
      return { mint: maxt - 20_000, maxt };
    },
  },
  {
    name: 'store',
    proc: () => store,
    storeType: 'store',
    range: async (http) => {
      const info = await http.info();
      return { mint: info.minTime, maxt: info.maxTime };
    },
  },
];

const SELECTORS: Matcher[][] = [
  [newMatcher('=~', '__name__', 'prometheus_http_requests_total|up|go_goroutines')],
  [newMatcher('=', 'job', 'prometheus'), newMatcher('=~', '__name__', 'prometheus_tsdb_head_.*')],
  [newMatcher('=', '__name__', 'up'), newMatcher('=', 'cluster', EXT.cluster)],
];

for (const t of targets) {
  describe(`gRPC StoreAPI of thanos-edge ${t.name}`, () => {
    let http: HttpStore;
    let grpcStore: GrpcStore;
    beforeAll(() => {
      http = new HttpStore(t.proc().httpUrl, { token: TOKEN });
      grpcStore = new GrpcStore(t.proc().grpcAddress);
      clients.push(grpcStore);
    });

    it('thanos.Store/Info and thanos.info.Info list the store as the HTTP StoreAPI does', async () => {
      const [g, h] = [await grpcStore.info(), await http.info()];
      expect(g).toEqual(h);
      expect(g.storeType).toBe(t.storeType);
      expect(g.labelSets).toEqual([labelsFrom(EXT)]);
      const info = await grpcStore.unary<PbInfoInfo>('info.Info', {});
      expect(info.ComponentType).toBe(t.storeType);
      expect(info.label_sets.map((s) => s.labels)).toEqual([labelsFrom(EXT)]);
      expect(info.store).not.toBeNull();
      expect(info.store!.min_time).toBe(h.minTime);
      expect(info.store!.sends_sorted_series).toBe(true);
      // The sidecar serves Rules/Targets/Metadata/Exemplars too (grpc-apis.test.ts); the store
      // only the StoreAPI: a Thanos Querier must not call the others there.
      const served = t.name === 'sidecar';
      expect(
        [info.rules, info.targets, info.metric_metadata, info.exemplars].map((x) => x !== null),
      ).toEqual([served, served, served, served]);
    });

    it('Series with matchers: the same series and decoded samples as the HTTP StoreAPI', async () => {
      const { mint, maxt } = await t.range(http);
      for (const matchers of SELECTORS) {
        const r = req(matchers, mint, maxt);
        const g = await collect(grpcStore.series(r));
        const h = await collect(http.series(r));
        const want = await decoded(h, mint, maxt);
        expect(want.length).toBeGreaterThan(0);
        expect(want.some((s) => s.t.length > 0)).toBe(true);
        expect(await decoded(g, mint, maxt)).toEqual(want);
        expect(seriesOnly(g).map((s) => s.labels)).toEqual(seriesOnly(h).map((s) => s.labels));
        for (const s of seriesOnly(g))
          expect(s.labels).toEqual(expect.arrayContaining([...labelsFrom(EXT)]));
      }
    });

    it('Series with skip_chunks: the same labels, no chunks', async () => {
      const { mint, maxt } = await t.range(http);
      const r = req(SELECTORS[0]!, mint, maxt, { skipChunks: true });
      const g = seriesOnly(await collect(grpcStore.series(r)));
      const h = seriesOnly(await collect(http.series(r)));
      expect(g.length).toBeGreaterThan(0);
      expect(g.map((s) => s.labels)).toEqual(h.map((s) => s.labels));
      for (const s of g) expect(s.chunks).toEqual([]);
    });

    it('LabelNames and LabelValues equal the HTTP StoreAPI', async () => {
      const { mint, maxt } = await t.range(http);
      const lr = {
        start: mint,
        end: maxt,
        matchers: [newMatcher('=', '__name__', 'up')],
        partialResponseStrategy: 'abort' as const,
      };
      const names = await grpcStore.labelNames(lr);
      expect(names).toEqual(await http.labelNames(lr));
      expect(names.values).toEqual(expect.arrayContaining(['__name__', 'cluster', 'job']));
      const jobs = await grpcStore.labelValues('job', { ...lr, matchers: [] });
      expect(jobs).toEqual(await http.labelValues('job', { ...lr, matchers: [] }));
      expect(jobs.values).toContain('prometheus');
      expect(await grpcStore.labelValues('cluster', lr)).toEqual({
        values: [EXT.cluster],
        warnings: [],
      });
    });

    it('gzip (grpc-js) and snappy (Thanos framed snappy) encodings give the same answer', async () => {
      const { mint, maxt } = await t.range(http);
      const r = req(SELECTORS[0]!, mint, maxt);
      const want = await decoded(await collect(http.series(r)), mint, maxt);
      expect(want.length).toBeGreaterThan(0);

      const gz = new GrpcStore(t.proc().grpcAddress, { compression: 'gzip' });
      clients.push(gz);
      expect(await decoded(await collect(gz.series(r)), mint, maxt)).toEqual(want);

      const snappy = await rawGrpcCall(
        t.proc().grpcAddress,
        '/thanos.Store/Series',
        encodeSeriesRequest(r),
        { encoding: 'snappy' },
      );
      expect(snappy.status).toBe(0);
      expect(snappy.headers['grpc-encoding']).toBe('snappy');
      expect(snappy.compressedMessages).toBe(snappy.messages.length);
      expect(snappy.messages.length).toBeGreaterThan(0);
      expect(await decoded(snappy.messages.map(decodeSeriesFrame), mint, maxt)).toEqual(want);

      // A client that asks for no compression gets none.
      const plain = await rawGrpcCall(
        t.proc().grpcAddress,
        '/thanos.Store/Series',
        encodeSeriesRequest(r),
      );
      expect(plain.headers['grpc-encoding']).toBeUndefined();
      expect(plain.compressedMessages).toBe(0);
      expect(await decoded(plain.messages.map(decodeSeriesFrame), mint, maxt)).toEqual(want);
    });

    it('counts its calls in grpc_server_handled_total', async () => {
      const ok = await metricValue(
        t.proc().httpUrl,
        /^grpc_server_handled_total\{.*grpc_method="Series".*grpc_code="OK"/,
      );
      expect(ok).toBeGreaterThanOrEqual(3);
    });
  });
}

describe('thanos-edge sidecar and store over gRPC: errors and flags', () => {
  it('a request the sidecar refuses is a gRPC status naming the sidecar', async () => {
    const g = new GrpcStore(sidecar.grpcAddress);
    clients.push(g);
    const now = Date.now();
    await expect(
      collect(g.series(req([newMatcher('=', 'cluster', EXT.cluster)], now - 10_000, now))),
    ).rejects.toThrow(/INVALID_ARGUMENT: sidecar http:\/\/127\.0\.0\.1:\d+: no matchers/);
  });

  it('store: logs at --log.level in logfmt, and the ignored Thanos flags are logged as such', () => {
    expect(store.log.join('\n')).toMatch(/^level=info ts=\S+ .*listening on/m);
    expect(store.log.join('\n')).toMatch(/--index-cache\.config-file is accepted/);
  });
});
