/**
 * @module core/api/api — the Prometheus HTTP API (`/api/v1/*`) as one Hono app, runtime-neutral,
 * with Thanos's extras (`dedup`, `partial_response`, `replicaLabels[]`, `max_source_resolution`,
 * `/api/v1/stores`). Routes throw typed errors; the one `onError` here turns them into
 * Prometheus's error JSON and status (core/api/error-response.ts).
 */
import { Hono } from 'hono';
import type { Querier } from '../query/querier.ts';
import { apiErrorResponse } from './error-response.ts';
import { metadataRoutes } from './metadata-routes.ts';
import { queryRoutes } from './query-routes.ts';
import { statusRoutes } from './status-routes.ts';

export interface ApiOptions<E> {
  /** The querier for this request's environment (the Worker builds it from its bindings). */
  readonly querier: (env: E) => Querier | Promise<Querier>;
  readonly buildInfo?: Record<string, string>;
  readonly flags?: (env: E) => Record<string, string>;
  /** Clock for `time` defaults (tests). */
  readonly now?: () => number;
}

export type ApiEnv<E> = { Bindings: E };

export function prometheusApi<E extends object>(options: ApiOptions<E>): Hono<ApiEnv<E>> {
  const app = new Hono<ApiEnv<E>>();
  queryRoutes(app, options);
  metadataRoutes(app, options);
  statusRoutes(app, options);
  app.onError((err) => apiErrorResponse(err));
  return app;
}
