/**
 * @module test/helpers/grpc-store-client — an independent gRPC client of Thanos's StoreAPI for
 * tests: @grpc/grpc-js with the messages loaded by @grpc/proto-loader from the test's own copy of
 * Thanos's storepb and infopb declarations (test/integration/storeapi/proto). `GrpcStore` is a
 * Store, so the StoreAPI acceptance suite and the HTTP-vs-gRPC comparisons run through it.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { newMatcher, type Matcher, type MatchType } from '../../core/labels/matcher.ts';
import type { Labels } from '../../core/labels/labels.ts';
import { newStoreStats } from '../../core/storeapi/stats.ts';
import type {
  AggrChunk,
  ChunkData,
  ChunkEncoding,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
  StoreType,
} from '../../core/storeapi/store.ts';

const PROTO_DIR = join(import.meta.dirname, '..', 'integration', 'storeapi', 'proto');

const MATCH_TYPES: Record<MatchType, string> = { '=': 'EQ', '!=': 'NEQ', '=~': 'RE', '!~': 'NRE' };

interface PbLabel {
  name: string;
  value: string;
}
interface PbChunk {
  type: ChunkEncoding;
  data: Buffer;
}
interface PbAggrChunk {
  min_time: number;
  max_time: number;
  raw?: PbChunk | null;
  count?: PbChunk | null;
  sum?: PbChunk | null;
  min?: PbChunk | null;
  max?: PbChunk | null;
  counter?: PbChunk | null;
}
export interface PbSeriesResponse {
  result: 'series' | 'warning' | 'hints';
  series?: { labels: PbLabel[]; chunks: PbAggrChunk[] };
  warning?: string;
  hints?: { type_url: string; value: Buffer };
}
export interface PbStoreInfo {
  labels: PbLabel[];
  min_time: number;
  max_time: number;
  storeType: string;
  label_sets: { labels: PbLabel[] }[];
}
export interface PbInfoInfo {
  label_sets: { labels: PbLabel[] }[];
  ComponentType: string;
  store: {
    min_time: number;
    max_time: number;
    supports_sharding: boolean;
    sends_sorted_series: boolean;
    sends_sorted_series_without_labels: boolean;
  } | null;
  rules: object | null;
  metric_metadata: object | null;
  targets: object | null;
  exemplars: object | null;
  query: object | null;
}

type Unary = (
  req: object,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientUnaryCall;
type ServerStream = (
  req: object,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
) => grpc.ClientReadableStream<PbSeriesResponse>;

interface StoreStub extends grpc.Client {
  Info: Unary;
  Series: ServerStream;
  LabelNames: Unary;
  LabelValues: Unary;
}
interface InfoStub extends grpc.Client {
  Info: Unary;
}

function loadServices(): {
  Store: new (addr: string, creds: grpc.ChannelCredentials, o?: grpc.ChannelOptions) => StoreStub;
  Info: new (addr: string, creds: grpc.ChannelCredentials, o?: grpc.ChannelOptions) => InfoStub;
} {
  const def = protoLoader.loadSync(
    [join(PROTO_DIR, 'thanos-store.proto'), join(PROTO_DIR, 'thanos-info.proto')],
    { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true },
  );
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    thanos: { Store: never; info: { Info: never } };
  };
  return { Store: pkg.thanos.Store, Info: pkg.thanos.info.Info };
}

export interface GrpcStoreOptions {
  /** Default insecure. */
  readonly credentials?: grpc.ChannelCredentials;
  /** Request (and so response) message encoding: grpc-js offers gzip and deflate. */
  readonly compression?: 'gzip';
  /** Extra channel options (e.g. the TLS target name override). */
  readonly channelOptions?: grpc.ChannelOptions;
}

export class GrpcStore implements Store {
  readonly store: StoreStub;
  readonly info2: InfoStub;

  constructor(address: string, o: GrpcStoreOptions = {}) {
    const { Store: S, Info: I } = loadServices();
    const creds = o.credentials ?? grpc.credentials.createInsecure();
    const opts: grpc.ChannelOptions = {
      ...(o.compression ? { 'grpc.default_compression_algorithm': 2 } : {}),
      ...o.channelOptions,
    };
    this.store = new S(address, creds, opts);
    this.info2 = new I(address, creds, opts);
  }

  close(): void {
    this.store.close();
    this.info2.close();
  }

  /** A unary call of thanos.Store (`Info`, `LabelNames`, `LabelValues`) or thanos.info.Info (`info.Info`). */
  unary<T>(
    method: 'Info' | 'LabelNames' | 'LabelValues' | 'info.Info',
    req: object,
    options: grpc.CallOptions = {},
    signal?: AbortSignal,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cb = (err: grpc.ServiceError | null, res: unknown): void =>
        err ? reject(err) : resolve(res as T);
      const call =
        method === 'info.Info'
          ? this.info2.Info(req, new grpc.Metadata(), options, cb)
          : this.store[method](req, new grpc.Metadata(), options, cb);
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  /** The raw Series call (for deadline and cancel tests). */
  seriesCall(
    req: SeriesRequest,
    options: grpc.CallOptions = {},
  ): grpc.ClientReadableStream<PbSeriesResponse> {
    return this.store.Series(seriesRequestPb(req), new grpc.Metadata(), options);
  }

  async info(signal?: AbortSignal): Promise<StoreInfo> {
    const r = await this.unary<PbStoreInfo>('Info', {}, {}, signal);
    return {
      storeType: r.storeType.toLowerCase() as StoreType,
      labelSets: r.label_sets.map((s) => labelsFromPb(s.labels)),
      minTime: r.min_time,
      maxTime: r.max_time,
    };
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    signal?.throwIfAborted();
    const call = this.seriesCall(request);
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const m of call as AsyncIterable<PbSeriesResponse>) yield seriesFrameFromPb(m);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  async labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    const r = await this.unary<{ names: string[]; warnings: string[] }>(
      'LabelNames',
      labelsRequestPb(request),
      {},
      signal,
    );
    return { values: r.names, warnings: r.warnings };
  }

  async labelValues(
    name: string,
    request: LabelsRequest,
    signal?: AbortSignal,
  ): Promise<LabelsResponse> {
    const r = await this.unary<{ values: string[]; warnings: string[] }>(
      'LabelValues',
      { label: name, ...labelsRequestPb(request) },
      {},
      signal,
    );
    return { values: r.values, warnings: r.warnings };
  }
}

function matchersPb(ms: readonly Matcher[]): object[] {
  return ms.map((m) => ({ type: MATCH_TYPES[m.type], name: m.name, value: m.value }));
}

export function seriesRequestPb(r: SeriesRequest): object {
  return {
    min_time: r.minTime,
    max_time: r.maxTime,
    matchers: matchersPb(r.matchers),
    max_resolution_window: r.maxResolutionWindow,
    aggregates: r.aggregates.map((a) => a.toUpperCase()),
    partial_response_strategy: r.partialResponseStrategy === 'abort' ? 'ABORT' : 'WARN',
    skip_chunks: r.skipChunks,
    without_replica_labels: r.withoutReplicaLabels ?? [],
    limit: r.limit ?? 0,
  };
}

function labelsRequestPb(r: LabelsRequest): object {
  return {
    partial_response_strategy: r.partialResponseStrategy === 'abort' ? 'ABORT' : 'WARN',
    start: r.start,
    end: r.end,
    matchers: matchersPb(r.matchers),
    limit: r.limit ?? 0,
  };
}

export function labelsFromPb(ls: readonly PbLabel[]): Labels {
  return ls.map((l) => ({ name: l.name, value: l.value }));
}

function chunkFromPb(c: PbChunk | null | undefined): ChunkData | undefined {
  return c ? { encoding: c.type, data: new Uint8Array(c.data) } : undefined;
}

export function seriesFrameFromPb(m: PbSeriesResponse): SeriesFrame {
  if (m.result === 'warning') return { type: 'warning', warning: m.warning! };
  if (m.result === 'hints') return { type: 'hints', stats: newStoreStats() };
  const chunks = m.series!.chunks.map((c) => {
    const out: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = {
      minTime: c.min_time,
      maxTime: c.max_time,
    };
    for (const k of ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const) {
      const d = chunkFromPb(c[k]);
      if (d) out[k] = d;
    }
    return out;
  });
  return { type: 'series', labels: labelsFromPb(m.series!.labels), chunks };
}

/** Matchers from `name op "value"` triples, for brevity in tests. */
export const m = (type: MatchType, name: string, value: string): Matcher =>
  newMatcher(type, name, value);
