/**
 * @module worker/index — the thanos-edge Worker: querier (Prometheus HTTP API), store gateway
 * (StoreAPI over the bucket) and health/metrics endpoints, mounted on one Hono app.
 */
import { Hono } from 'hono';
import { prometheusApi } from '../core/api/api.ts';
import { apiErrorResponse } from '../core/api/error-response.ts';
import { jsonResponse, successJson } from '../core/api/prom-json.ts';
import { storeApiRoutes } from '../core/storeapi/http-server.ts';
import type { Env } from './env.ts';
import { metricsText } from './metrics.ts';
import { workerState } from './state.ts';

const app = new Hono<{ Bindings: Env }>();

app.get('/-/healthy', (c) => c.text('thanos-edge is Healthy.\n'));
app.get('/-/ready', async (c) => {
  try {
    await (await workerState(c.env)).gateway?.bucketStore.sync();
    return c.text('thanos-edge is Ready.\n');
  } catch (err) {
    return c.text(`not ready: ${err instanceof Error ? err.message : String(err)}\n`, 503);
  }
});
app.get('/metrics', async (c) =>
  c.text(metricsText(await workerState(c.env)), 200, {
    'content-type': 'text/plain; version=0.0.4',
  }),
);

app.route(
  '/',
  storeApiRoutes<Env>({
    // Our StoreAPI serves everything this querier sees, so a querier can be another's store.
    store: async (env) => (await workerState(env)).querier.proxy(),
    token: (env) => env.STORE_TOKEN,
  }),
);
app.route('/', prometheusApi<Env>({ querier: async (env) => (await workerState(env)).querier }));

app.get('/api/v1/blocks', async (c) => {
  const { gateway } = await workerState(c.env);
  if (!gateway) return jsonResponse(successJson('{"blocks":[],"skipped":[]}'));
  const { metas, skipped } = await gateway.bucketStore.sync();
  return jsonResponse(successJson(JSON.stringify({ blocks: [...metas.values()], skipped })));
});

app.onError((err) => apiErrorResponse(err));

export default app;
