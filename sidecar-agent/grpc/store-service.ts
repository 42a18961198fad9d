/**
 * @module sidecar-agent/grpc/store-service — any Store served as Thanos's gRPC services:
 * `thanos.Store` (Info, Series, LabelNames, LabelValues; storepb rpc.proto) and `thanos.info.Info`
 * (infopb). Requests are the same storepb messages our HTTP StoreAPI takes, so they decode with
 * the same codec; series go out as the store's encoded frames when it has them (the sidecar's
 * Prometheus chunks are never decoded), else encoded here.
 */
import { concatBytes } from '../../core/concat-bytes.ts';
import { MAX_TIME, MIN_TIME } from '../../core/gocompat/time.ts';
import {
  decodeLabelNamesRequest,
  decodeLabelValuesRequest,
  decodeSeriesRequest,
  encodeInfo,
  encodeLabelNamesResponse,
  encodeLabelValuesResponse,
  encodeSeriesFrame,
} from '../../core/storeapi/codec.ts';
import { frame } from '../../core/storeapi/framing.ts';
import { thanos } from '../../core/storeapi/proto/gen/infopb.js';
import {
  hasEncodedSeries,
  type SeriesFrame,
  type Store,
  type StoreInfo,
} from '../../core/storeapi/store.ts';
import type { GrpcMethod } from './server.ts';

/** gRPC paths: `/<package>.<Service>/<Method>`. */
export const STORE_SERVICE = 'thanos.Store';
export const INFO_SERVICE = 'thanos.info.Info';

/** APIs besides the StoreAPI a component may advertise in thanos.info.Info (each an empty message). */
export type InfoCapability = 'rules' | 'metric_metadata' | 'targets' | 'exemplars';

export interface StoreServiceOptions {
  /** infopb ComponentType: `sidecar`, `store`, … (Thanos's component names). */
  readonly componentType: string;
  /**
   * APIs advertised besides the store. Advertise only what this process serves over gRPC: a
   * Thanos Querier calls what is advertised. Default none.
   */
  readonly capabilities?: readonly InfoCapability[];
  /** Whether series come sorted ignoring the request's without_replica_labels (default false). */
  readonly sortsWithoutReplicaLabels?: boolean;
}

/** Series frames are encoded into batches of about this many bytes before they are written… */
const BATCH_BYTES = 64 * 1024;
/** …or once the oldest frame of a batch has waited this long (a slow store still trickles out). */
const BATCH_MAX_WAIT_MS = 50;

export function storeMethods(store: Store, o: StoreServiceOptions): Map<string, GrpcMethod> {
  return new Map<string, GrpcMethod>([
    [
      `/${STORE_SERVICE}/Info`,
      { type: 'unary', handle: async (_req, ctx) => encodeInfo(await store.info(ctx.signal)) },
    ],
    [
      `/${STORE_SERVICE}/Series`,
      {
        type: 'server_stream',
        handle(req, ctx) {
          const request = decodeSeriesRequest(req);
          return hasEncodedSeries(store)
            ? store.encodedSeries(request, ctx.signal)
            : batched(store.series(request, ctx.signal));
        },
      },
    ],
    [
      `/${STORE_SERVICE}/LabelNames`,
      {
        type: 'unary',
        handle: async (req, ctx) =>
          encodeLabelNamesResponse(
            await store.labelNames(decodeLabelNamesRequest(req), ctx.signal),
          ),
      },
    ],
    [
      `/${STORE_SERVICE}/LabelValues`,
      {
        type: 'unary',
        async handle(req, ctx) {
          const { name, request } = decodeLabelValuesRequest(req);
          return encodeLabelValuesResponse(await store.labelValues(name, request, ctx.signal));
        },
      },
    ],
    [
      `/${INFO_SERVICE}/Info`,
      {
        type: 'unary',
        handle: async (_req, ctx) => encodeInfoResponse(await store.info(ctx.signal), o),
      },
    ],
  ]);
}

/** infopb.InfoResponse for a store's info. */
export function encodeInfoResponse(info: StoreInfo, o: StoreServiceOptions): Uint8Array {
  const caps = new Set(o.capabilities ?? []);
  return thanos.info.InfoResponse.encode({
    label_sets: info.labelSets.map((ls) => ({ labels: [...ls] })),
    ComponentType: o.componentType,
    store: {
      min_time: Math.max(info.minTime, MIN_TIME),
      max_time: Math.min(info.maxTime, MAX_TIME),
      supports_sharding: false,
      sends_sorted_series: true,
      sends_sorted_series_without_labels: o.sortsWithoutReplicaLabels ?? false,
    },
    ...(caps.has('rules') ? { rules: {} } : {}),
    ...(caps.has('metric_metadata') ? { metric_metadata: {} } : {}),
    ...(caps.has('targets') ? { targets: {} } : {}),
    ...(caps.has('exemplars')
      ? { exemplars: { min_time: info.minTime, max_time: info.maxTime } }
      : {}),
  }).finish();
}

/** Frames encoded and uvarint-delimited, in batches of about BATCH_BYTES or BATCH_MAX_WAIT_MS. */
async function* batched(frames: AsyncIterable<SeriesFrame>): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let since = 0;
  try {
    for await (const f of frames) {
      const bytes = frame(encodeSeriesFrame(f));
      if (size === 0) since = performance.now();
      parts.push(bytes);
      size += bytes.length;
      if (size >= BATCH_BYTES || performance.now() - since >= BATCH_MAX_WAIT_MS) {
        yield concatBytes(parts, size);
        parts = [];
        size = 0;
      }
    }
  } catch (err) {
    // What was encoded before the failure still goes out, then the call fails.
    if (size > 0) yield concatBytes(parts, size);
    throw err;
  }
  if (size > 0) yield concatBytes(parts, size);
}
