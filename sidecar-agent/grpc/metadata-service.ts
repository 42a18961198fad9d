/**
 * @module sidecar-agent/grpc/metadata-service — Thanos's `thanos.Metadata` service (metadatapb
 * rpc.proto) answered from Prometheus's `/api/v1/metadata`, as the Thanos sidecar does: `metric`
 * is passed on when set and `limit` when >= 0 (a Thanos Querier sends -1 for "no limit"), the
 * whole map in one message.
 */
import { thanos } from '../../core/storeapi/proto/gen/metadatapb.js';
import type { PrometheusApiSource } from '../sidecar/prometheus-apis.ts';
import { responses } from './prometheus-json.ts';
import type { GrpcMethod } from './server.ts';

export const METADATA_SERVICE = 'thanos.Metadata';

type MetadataJson = Record<string, Array<{ type?: string; help?: string; unit?: string }>>;

export function metadataMethods(source: PrometheusApiSource): Map<string, GrpcMethod> {
  return new Map<string, GrpcMethod>([
    [
      `/${METADATA_SERVICE}/MetricMetadata`,
      {
        type: 'server_stream',
        handle(req, ctx) {
          const r = thanos.MetricMetadataRequest.decode(req);
          const params = new URLSearchParams();
          if (r.metric !== '') params.set('metric', r.metric);
          if (r.limit >= 0) params.set('limit', String(r.limit));
          return responses(
            source.data('metadata', params, ctx.signal).then((data) => {
              const metadata: Record<string, thanos.MetricMetadataEntry.$Properties> = {};
              for (const [name, metas] of Object.entries((data ?? {}) as MetadataJson)) {
                metadata[name] = {
                  metas: metas.map((m) => ({
                    type: m.type ?? '',
                    help: m.help ?? '',
                    unit: m.unit ?? '',
                  })),
                };
              }
              return [thanos.MetricMetadataResponse.encode({ metadata: { metadata } }).finish()];
            }),
          );
        },
      },
    ],
  ]);
}
