/**
 * @module sidecar-agent/grpc/exemplars-service — Thanos's `thanos.Exemplars` service
 * (exemplarspb rpc.proto) answered from Prometheus's `/api/v1/query_exemplars`, as the Thanos
 * sidecar does: `query` with `start`/`end` (ms in the request, seconds to Prometheus), one
 * ExemplarData per series, the series labels extended with the external labels.
 */
import { goParseFloat } from '../../core/gocompat/strconv.ts';
import { thanos } from '../../core/storeapi/proto/gen/exemplarspb.js';
import type { PrometheusApiSource } from '../sidecar/prometheus-apis.ts';
import { labelSet, responses } from './prometheus-json.ts';
import type { GrpcMethod } from './server.ts';

export const EXEMPLARS_SERVICE = 'thanos.Exemplars';

/** Prometheus's `/api/v1/query_exemplars` JSON: values as strings, timestamps in seconds. */
interface ExemplarSeriesJson {
  seriesLabels?: Record<string, string>;
  exemplars?: Array<{ labels?: Record<string, string>; value?: string; timestamp?: number }>;
}

export function exemplarsMethods(source: PrometheusApiSource): Map<string, GrpcMethod> {
  return new Map<string, GrpcMethod>([
    [
      `/${EXEMPLARS_SERVICE}/Exemplars`,
      {
        type: 'server_stream',
        handle(req, ctx) {
          const r = thanos.ExemplarsRequest.decode(req);
          const params = new URLSearchParams({
            query: r.query,
            start: String(r.start / 1000),
            end: String(r.end / 1000),
          });
          return responses(
            source.data('query_exemplars', params, ctx.signal).then((data) =>
              // Series labels already carry the external labels (prometheusApiData).
              ((data ?? []) as ExemplarSeriesJson[]).map((s) =>
                thanos.ExemplarsResponse.encode({
                  data: {
                    seriesLabels: labelSet(s.seriesLabels),
                    exemplars: (s.exemplars ?? []).map((e) => ({
                      labels: labelSet(e.labels),
                      value: goParseFloat(e.value ?? 'NaN'),
                      ts: Math.round((e.timestamp ?? 0) * 1000),
                    })),
                  },
                }).finish(),
              ),
            ),
          );
        },
      },
    ],
  ]);
}
