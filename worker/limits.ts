/**
 * @module worker/limits — per-tenant limits in front of the API: a request rate on every API
 * route, and a query slot held while a query is evaluated (taken back after QUERY_TIMEOUT and a
 * minute, should the runtime drop a request mid-way). The tenant is the request's tenant header, which the auth layer sets for
 * tenant-bound credentials; requests naming no tenant share the "" tenant.
 */
import type { MiddlewareHandler } from 'hono';
import { TenantLimiter, type TenantLimitSettings } from '../core/api/tenant-limits.ts';
import { DEFAULT_TIMEOUT } from '../core/promql/engine/engine.ts';
import { durationVar, numberVar, tenancyVars, type Env } from './env.ts';

/** Routes that run a query or read series: they take a slot. */
const QUERY_ROUTE =
  /^\/(api\/v1\/(query|query_range|query_exemplars|series|labels|label\/[^/]+\/values|store\/series)|federate)$/;
/** Writes have their own limits (receive); health and metrics must always answer. */
const UNLIMITED_ROUTE = /^\/(-\/|metrics$|api\/v1\/(receive|write)$)/;

/**
 * Queries one tenant evaluates at once in an isolate. Thanos's --query.max-concurrent is 20, for a
 * process with many cores; an isolate has one thread and 128 MB, where more queries at once add
 * memory and tail latency, not throughput (bench:load: 4 slots and a first-come line answer 20 and
 * 50 dashboard clients at twice Prometheus's rate, p99 below its, and no request lost; 20 slots
 * lost requests when workerd closed every connection at once).
 */
export const DEFAULT_QUERY_CONCURRENCY = 4;

export function tenantLimitSettings(env: Env): TenantLimitSettings {
  const rate = numberVar(env.TENANT_REQUEST_RATE, 0);
  return {
    maxConcurrent: numberVar(env.QUERY_MAX_CONCURRENCY, DEFAULT_QUERY_CONCURRENCY),
    maxQueued: numberVar(env.QUERY_MAX_QUEUED, 100),
    requestRate: rate,
    requestBurst: numberVar(env.TENANT_REQUEST_BURST, Math.max(1, Math.ceil(rate * 2))),
    maxHoldMs: durationVar(env.QUERY_TIMEOUT, DEFAULT_TIMEOUT) + 60_000,
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
    // Held while the query is evaluated; its answer then streams out without it. (Holding it
    // until the body was read lost slots whenever the runtime dropped a response unread.)
    c.req.raw.signal.addEventListener('abort', release, { once: true });
    try {
      await next();
    } finally {
      release();
    }
  };
}
