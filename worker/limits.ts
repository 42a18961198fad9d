/**
 * @module worker/limits — per-tenant limits in front of the API: a request rate on every API
 * route, and a query slot held for as long as a query's answer streams (so a slow reader counts
 * as a running query). The tenant is the request's tenant header, which the auth layer sets for
 * tenant-bound credentials; requests naming no tenant share the "" tenant.
 */
import type { MiddlewareHandler } from 'hono';
import { TenantLimiter, type TenantLimitSettings } from '../core/api/tenant-limits.ts';
import { numberVar, tenancyVars, type Env } from './env.ts';

/** Routes that run a query or read series: they take a slot. */
const QUERY_ROUTE =
  /^\/(api\/v1\/(query|query_range|query_exemplars|series|labels|label\/[^/]+\/values|store\/series)|federate)$/;
/** Writes have their own limits (receive); health and metrics must always answer. */
const UNLIMITED_ROUTE = /^\/(-\/|metrics$|api\/v1\/(receive|write)$)/;

export function tenantLimitSettings(env: Env): TenantLimitSettings {
  const rate = numberVar(env.TENANT_REQUEST_RATE, 0);
  return {
    maxConcurrent: numberVar(env.QUERY_MAX_CONCURRENCY, 20),
    maxQueued: numberVar(env.QUERY_MAX_QUEUED, 100),
    requestRate: rate,
    requestBurst: numberVar(env.TENANT_REQUEST_BURST, Math.max(1, Math.ceil(rate * 2))),
  };
}

let current: { key: string; limiter: TenantLimiter } | undefined;

function limiterFor(env: Env): TenantLimiter {
  const settings = tenantLimitSettings(env);
  const key = JSON.stringify(settings);
  if (current?.key !== key) current = { key, limiter: new TenantLimiter(settings) };
  return current.limiter;
}

export function tenantLimits(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const path = c.req.path;
    if (UNLIMITED_ROUTE.test(path)) return next();
    const limiter = limiterFor(c.env);
    const tenant = c.req.header(tenancyVars(c.env).header)?.trim() ?? '';
    limiter.admit(tenant);
    if (!QUERY_ROUTE.test(path)) return next();
    const release = await limiter.slot(tenant, c.req.raw.signal);
    try {
      await next();
    } catch (err) {
      release();
      throw err;
    }
    c.res = holdUntilRead(c.res, release);
  };
}

/** The answer with its body wrapped so `release` runs once the body is read, fails or is dropped. */
function holdUntilRead(res: Response, release: () => void): Response {
  const body = res.body;
  if (!body) {
    release();
    return res;
  }
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) {
          release();
          controller.close();
        } else controller.enqueue(r.value);
      } catch (err) {
        release();
        controller.error(err);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  });
  return new Response(stream, res);
}
