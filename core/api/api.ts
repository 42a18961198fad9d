/**
 * @module core/api/api — the Prometheus HTTP API (`/api/v1/*`) as one Hono app, runtime-neutral,
 * with Thanos's extras (`dedup`, `partial_response`, `replicaLabels[]`, `max_source_resolution`,
 * `/api/v1/stores`). Routes throw typed errors; the one `onError` here turns them into
 * Prometheus's error JSON and status (core/api/error-response.ts).
 */
import { Hono } from 'hono';
import type { ApiEnv, ApiOptions } from './options.ts';
import { apiErrorResponse } from './error-response.ts';
import { metadataRoutes } from './metadata-routes.ts';
import { queryRoutes } from './query-routes.ts';
import { statusRoutes } from './status-routes.ts';
import { prometheusApiRoutes } from './prometheus-api-routes.ts';
import { federateRoute } from './federate-route.ts';
import { tsdbStatusRoute } from './tsdb-status-route.ts';

export function prometheusApi<E extends object>(options: ApiOptions<E>): Hono<ApiEnv<E>> {
  const app = new Hono<ApiEnv<E>>();
  queryRoutes(app, options);
  metadataRoutes(app, options);
  statusRoutes(app, options);
  prometheusApiRoutes(app, options);
  federateRoute(app, options);
  tsdbStatusRoute(app, options);
  app.onError((err) => apiErrorResponse(err));
  return app;
}
