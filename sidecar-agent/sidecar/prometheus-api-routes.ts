/**
 * @module sidecar-agent/sidecar/prometheus-api-routes — what Thanos's sidecar serves beside the
 * StoreAPI (its Metadata, Targets and Exemplars APIs), over HTTP: `GET /api/v1/store/prometheus/
 * {metadata,targets,targets/metadata,query_exemplars,rules,alerts}` answer Prometheus's own `data`
 * for the same parameters, exemplar series and alerts with the external labels added (as the Thanos
 * sidecar adds them; prometheus-apis.ts). The same APIs over gRPC: grpc/*-service.ts.
 * Token-protected like the StoreAPI.
 */
import { Hono } from 'hono';
import { apiErrorResponse } from '../../core/api/error-response.ts';
import { UnauthorizedError } from '../../core/errors.ts';
import type { Labels } from '../../core/labels/labels.ts';
import { bearerTokenValid } from '../../core/storeapi/auth.ts';
import type { PrometheusClient } from '../prometheus/client.ts';
import { isPrometheusReadApi, prometheusApiData } from './prometheus-apis.ts';

export const PROMETHEUS_API_PREFIX = '/api/v1/store/prometheus/';

export function prometheusApiRoutes(o: {
  readonly prometheus: PrometheusClient;
  readonly token: string | undefined;
  readonly externalLabels: () => Labels;
}): Hono {
  const app = new Hono();
  app.get(`${PROMETHEUS_API_PREFIX}*`, async (c) => {
    if (!bearerTokenValid(c.req.header('authorization'), o.token ?? ''))
      throw new UnauthorizedError();
    const api = c.req.path.slice(PROMETHEUS_API_PREFIX.length);
    if (!isPrometheusReadApi(api))
      return c.json({ status: 'error', errorType: 'not_found', error: `no API ${api}` }, 404);
    const data = await prometheusApiData(
      o.prometheus,
      api,
      new URL(c.req.url).searchParams,
      o.externalLabels(),
      c.req.raw.signal,
    );
    return c.json({ status: 'success', data });
  });
  app.onError((err) => apiErrorResponse(err));
  return app;
}
