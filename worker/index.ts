/**
 * @module worker/index — the thanos-edge Worker: querier (Prometheus HTTP API), store gateway
 * (StoreAPI over the bucket, in this isolate or as Durable Object shards) and health/metrics
 * endpoints, mounted on one Hono app.
 */
import { Hono } from 'hono';
import { prometheusApi } from '../core/api/api.ts';
import { evalRangeQuery } from '../core/api/query-routes.ts';
import { apiErrorResponse } from '../core/api/error-response.ts';
import { jsonResponse, successJson } from '../core/api/prom-json.ts';
import { BadDataError, errorMessage } from '../core/errors.ts';
import { FRONTEND_PATHS, queryFrontend } from '../core/frontend/frontend.ts';
import { storeApiRoutes } from '../core/storeapi/http-server.ts';
import { externalLabels } from '../core/block/bucket-store.ts';
import { labelSetVisible } from '../core/storeapi/tenant-store.ts';
import type { BlockMeta } from '../core/tsdb/meta.ts';
import { tenancyVars, type Env } from './env.ts';
import { authMiddleware } from './auth.ts';
import { frontendEnabled, frontendMetrics, frontendSettings, memoryCache } from './frontend.ts';
import { frontendFamilies, renderFamilies, workerFamilies, type Family } from './metrics.ts';
import { workerState, type WorkerState } from './state.ts';
import { shardGet } from './store-shard.ts';
import { eachReceiveShard, receiveRoutes } from './receive.ts';
import { gateFamilies, tenantLimits } from './limits.ts';
import { cors } from './cors.ts';
import { configYaml, runtimeInfo, workerFlags } from './status.ts';
import { parseLimitsFromEnv } from './querier.ts';
import { observe, requestMetrics } from './observe.ts';
import { rulerStub } from './ruler.ts';
import { serveUi } from './ui-assets.ts';
import { compressAnswer } from './compress.ts';
import { writesSettled } from '../core/block/write-behind-cache.ts';
import {
  installCrc32cKernelWorker,
  installQueryKernelsWorker,
  installSnappyKernelWorker,
} from './wasm.ts';

export { StoreShard } from './store-shard.ts';
export { ReceiveShard } from './receive-shard.ts';
export { Ruler } from './ruler.ts';

// Chunk and index checksums on every read: the WASM CRC-32C kernel, once per isolate.
installCrc32cKernelWorker();
// Range answers' points and deriv/predict_linear: the WASM kernels, once per isolate.
installQueryKernelsWorker();
// Remote-write bodies: the WASM snappy decoder, once per isolate.
installSnappyKernelWorker();

const app = new Hono<{ Bindings: Env }>();
// Every request is counted and logged, whatever answers it.
app.use('*', observe());
// CORS next: a preflight carries no credentials and is answered (headers only) before auth.
app.use('/api/*', cors());
// Authentication before every route (worker/auth.ts): only /-/healthy is public.
app.use('*', authMiddleware());

/** Every route and middleware of the app, for the auth test to try each without credentials. */
export function routes(): ReadonlyArray<{ readonly method: string; readonly path: string }> {
  return app.routes.map((r) => ({ method: r.method, path: r.path }));
}

/** GETs a shard-internal route on every shard, in shard order. */
function eachShard(env: Env, state: WorkerState, path: string): Promise<Response[]> {
  return Promise.all(state.shards.map((s) => shardGet(env.STORE_SHARD!, s, path)));
}

app.get('/-/healthy', (c) => c.text('thanos-edge is Healthy.\n'));
app.get('/-/ready', async (c) => {
  try {
    const state = await workerState(c.env, c.req.raw);
    await state.gateway?.bucketStore.sync();
    for (const r of await eachShard(c.env, state, '/shard/ready')) {
      if (!r.ok) throw new Error(`store shard: ${(await r.text()).slice(0, 200)}`);
    }
    return c.text('thanos-edge is Ready.\n');
  } catch (err) {
    return c.text(`not ready: ${errorMessage(err)}\n`, 503);
  }
});
app.get('/metrics', async (c) => {
  const state = await workerState(c.env, c.req.raw);
  const families = [
    ...workerFamilies(state),
    ...frontendFamilies(frontendMetrics, memoryCache(c.env)),
    ...requestMetrics.families(),
    ...gateFamilies(c.env),
  ];
  const shardAnswers = [
    ...(await eachShard(c.env, state, '/shard/metrics').catch(() => [])),
    ...(await eachReceiveShard(c.env, '/shard/metrics').catch(() => [])),
  ];
  if (c.env.RULER)
    shardAnswers.push(await rulerStub(c.env.RULER).fetch('https://ruler.internal/metrics'));
  for (const r of shardAnswers) {
    if (r.ok) families.push(...((await r.json()) as Family[]));
  }
  return c.text(renderFamilies(families), 200, { 'content-type': 'text/plain; version=0.0.4' });
});

// Per-tenant request rate and query slots (after authentication, which names the tenant).
app.use('*', tenantLimits());
app.route('/', receiveRoutes());
app.route(
  '/',
  storeApiRoutes<Env>({
    // Our StoreAPI serves everything this querier sees, so a querier can be another's store.
    store: async (env, req) => {
      const { querier } = await workerState(env);
      // Our info is our stores' label sets: current ones, so a querier above can choose by them.
      if (new URL(req.url).pathname.endsWith('/info')) await querier.settings.endpoints.refresh();
      return querier.proxy(querier.tenantOf(req.headers));
    },
    token: (env) => env.STORE_TOKEN,
    // The auth middleware checked STORE_TOKEN or an AUTH_TOKENS/Access credential already.
    requireToken: false,
  }),
);
let rulerTicked = false;
async function rulerStarted(stub: DurableObjectStub): Promise<void> {
  if (rulerTicked) return;
  const r = await stub.fetch('https://ruler.internal/tick', { method: 'POST' });
  if (r.ok) rulerTicked = true;
}

const api = prometheusApi<Env>({
  querier: async (env) => (await workerState(env)).querier,
  flags: workerFlags,
  runtimeInfo,
  config: configYaml,
  parseLimits: parseLimitsFromEnv,
  // With a ruler, its rules and alerts; the first such request also starts its schedule.
  localRules: async (env, path, search) => {
    if (!env.RULER) return undefined;
    const stub = rulerStub(env.RULER);
    await rulerStarted(stub);
    const r = await stub.fetch(`https://ruler.internal${path.slice('/api/v1'.length)}${search}`);
    const body = (await r.json()) as { status?: string; data?: unknown; error?: string };
    if (r.status === 400) throw new BadDataError(body.error ?? 'bad request');
    if (!r.ok || body.status !== 'success') throw new Error(`ruler: ${body.error ?? r.status}`);
    return body.data;
  },
});
const frontend = queryFrontend<Env>({
  downstream: async (req, env) => api.fetch(req, env),
  rangeQuery: async (env, p, range, req) =>
    evalRangeQuery(
      (await workerState(env)).querier,
      p,
      req,
      range,
      undefined,
      parseLimitsFromEnv(env),
    ),
  settings: frontendSettings,
});
// The frontend answers range queries, labels and series; with QUERY_FRONTEND=false it steps aside.
for (const path of FRONTEND_PATHS) {
  app.use(path, async (c, next) => {
    if (!frontendEnabled(c.env)) return next();
    return frontend.fetch(c.req.raw, c.env);
  });
}
app.route('/', api);

/** Blocks served and skipped, with the shard serving each when there are shards. */
app.get('/api/v1/blocks', async (c) => {
  const state = await workerState(c.env, c.req.raw);
  const blocks: unknown[] = [];
  const skipped: unknown[] = [];
  if (state.gateway) {
    const r = await state.gateway.bucketStore.served(c.req.raw);
    blocks.push(...r.metas);
    skipped.push(...r.skipped);
  }
  const answers = await eachShard(c.env, state, '/shard/blocks');
  for (const [i, r] of answers.entries()) {
    if (!r.ok) throw new Error(`store shard ${i}: ${(await r.text()).slice(0, 200)}`);
    const body = (await r.json()) as { data: { blocks: object[]; skipped: object[] } };
    const shard = `${i}/${state.shards.length}`;
    for (const b of body.data.blocks) blocks.push({ ...b, shard });
    for (const s of body.data.skipped) skipped.push({ ...s, shard });
  }
  const tenant = state.querier.tenantOf(c.req.raw.headers);
  if (tenant !== undefined) {
    // A tenant sees the blocks that may hold its series (its own, and those naming no tenant);
    // skipped blocks have no readable meta to tell whose they are, so they are not shown.
    const label = tenancyVars(c.env).label;
    const mine = (b: unknown) => labelSetVisible(externalLabels(b as BlockMeta), label, tenant);
    return jsonResponse(successJson(JSON.stringify({ blocks: blocks.filter(mine), skipped: [] })));
  }
  return jsonResponse(successJson(JSON.stringify({ blocks, skipped })));
});

// Everything else is the query UI, served after the auth middleware, with security headers.
app.all('*', (c) => serveUi(c));

app.onError((err) => apiErrorResponse(err));

export default {
  // Outside the app: middleware that sets `c.res` has Hono rebuild the response, which would
  // lose `encodeBody: 'manual'` (worker/compress.ts).
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const answer = compressAnswer(request, env, await app.fetch(request, env, ctx));
    ctx.waitUntil(writesSettled());
    return answer;
  },
  // The cron trigger (wrangler.toml) keeps the ruler's alarm armed.
  async scheduled(_event: ScheduledController, env: Env): Promise<void> {
    if (env.RULER)
      await rulerStub(env.RULER).fetch('https://ruler.internal/tick', { method: 'POST' });
  },
} satisfies ExportedHandler<Env>;
