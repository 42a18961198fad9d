/**
 * @module core/api/status-routes — about the querier itself: build info, flags, runtime info,
 * Thanos's `/api/v1/stores`, and the rules/alerts/targets routes a querier without a ruler or
 * scrape targets answers empty (Grafana and the UI ask for them).
 */
import type { Hono } from 'hono';
import { jsonResponse, successJson } from './prom-json.ts';
import { storesJson } from './stores-json.ts';
import type { Labels } from '../labels/labels.ts';
import { labelSetVisible } from '../storeapi/tenant-store.ts';
import type { ApiEnv, ApiOptions } from './options.ts';

export const BUILD_INFO: Record<string, string> = {
  version: '0.1.0',
  revision: 'thanos-edge',
  branch: 'main',
  buildUser: 'thanos-edge',
  buildDate: '',
  goVersion: 'workerd',
};

export function statusRoutes<E extends object>(app: Hono<ApiEnv<E>>, options: ApiOptions<E>): void {
  const ok = (data: unknown): Response => jsonResponse(successJson(JSON.stringify(data)));
  app.get('/api/v1/status/buildinfo', () => ok(options.buildInfo ?? BUILD_INFO));
  app.get('/api/v1/status/flags', (c) => ok(options.flags?.(c.env) ?? {}));
  app.get('/api/v1/status/runtimeinfo', (c) => ok(options.runtimeInfo?.(c.env) ?? {}));
  app.get('/api/v1/status/config', (c) => ok({ yaml: options.config?.(c.env) ?? '' }));

  app.get('/api/v1/stores', async (c) => {
    const querier = await options.querier(c.env);
    await querier.settings.endpoints.refresh();
    const tenant = querier.tenantOf(c.req.raw.headers);
    const label = querier.settings.tenancy?.label ?? 'tenant_id';
    // A tenant sees the stores, but only the label sets that may hold its own series.
    const visible = (ls: Labels) => tenant === undefined || labelSetVisible(ls, label, tenant);
    return jsonResponse(successJson(storesJson(querier.settings.endpoints.status(), visible)));
  });
}
