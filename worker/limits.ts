/**
 * @module worker/limits — per-tenant limits in front of the API: a request rate on every API
 * route, and a query slot held while a query is evaluated (taken back after QUERY_TIMEOUT and a
 * minute, should the runtime drop a request mid-way). The tenant is the request's tenant header, which the auth layer sets for
 * tenant-bound credentials; requests naming no tenant share the "" tenant. The slots are reported
 * as Thanos's querier reports its concurrency gate (`thanos_query_concurrent_gate_*`).
 */
import type { MiddlewareHandler } from 'hono';
import { TenantLimiter, type TenantLimitSettings } from '../core/api/tenant-limits.ts';
import { DEFAULT_TIMEOUT } from '../core/promql/engine/engine.ts';
import { durationVar, numberVar, tenancyVars, type Env } from './env.ts';
import { family, Histogram, sample, type Family } from './metrics.ts';

/** Routes that run a query or read series: they take a slot. */
const QUERY_ROUTE =
  /^\/(api\/v1\/(query|query_range|query_exemplars|series|labels|label\/[^/]+\/values|status\/tsdb|store\/series)|federate)$/;
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

let current: { key: string; limiter: TenantLimiter; maxConcurrent: number } | undefined;

function limiterFor(env: Env): { limiter: TenantLimiter; maxConcurrent: number } {
  const settings = tenantLimitSettings(env);
  const key = JSON.stringify(settings);
  if (current?.key !== key) {
    const { maxConcurrent } = settings;
    current = { key, limiter: new TenantLimiter(settings), maxConcurrent };
  }
  return current;
}

/** Thanos's buckets for its gate's wait (thanos_query_concurrent_gate_duration_seconds). */
const GATE_BUCKETS = [0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120, 240, 360, 720];

/** How long each query waited for its slot, in this isolate (all tenants). */
const gateWait = new Histogram(GATE_BUCKETS);

/**
 * The query slots under the names of Thanos's querier gate, so that its ThanosQueryOverload alert
 * (`max_over_time(…_queries_max[5m]) - avg_over_time(…_queries_in_flight[5m]) < 1`) works here.
 * Thanos has one gate per process; we have one per tenant per isolate, so the gauges carry a
 * `tenant` label and the alert matches each tenant's use with its own limit. The "" tenant (no
 * tenant header) has no label, and is always reported: without tenants this reads as Thanos's
 * gate. With no limit (QUERY_MAX_CONCURRENCY=0) no slot is counted and the gauges have no samples.
 */
export function gateFamilies(env: Env): Family[] {
  const inFlight = family(
    'thanos_query_concurrent_gate_queries_in_flight',
    'gauge',
    'Queries holding a query slot now, by tenant (the slots are per tenant and per isolate).',
  );
  const max = family(
    'thanos_query_concurrent_gate_queries_max',
    'gauge',
    'Query slots of each tenant (QUERY_MAX_CONCURRENCY), per isolate.',
  );
  const queued = family(
    'thanos_query_concurrent_gate_queries_queued',
    'gauge',
    'Queries waiting in line for a query slot, by tenant, per isolate.',
  );
  const duration = family(
    'thanos_query_concurrent_gate_duration_seconds',
    'histogram',
    'Seconds queries waited for a query slot, per isolate.',
  );
  // A bad QUERY_TIMEOUT fails every query (with its error), but /metrics must still answer.
  const gate = (() => {
    try {
      return limiterFor(env);
    } catch {
      return undefined;
    }
  })();
  if (gate && gate.maxConcurrent > 0) {
    const { limiter, maxConcurrent } = gate;
    const usage = [...limiter.usage()];
    if (!usage.some((u) => u.tenant === '')) usage.unshift({ tenant: '', running: 0, waiting: 0 });
    for (const { tenant, running, waiting } of usage) {
      const labels: Record<string, string> = tenant === '' ? {} : { tenant };
      sample(inFlight, labels, running);
      sample(max, labels, maxConcurrent);
      sample(queued, labels, waiting);
    }
  }
  gateWait.samples(duration);
  return [inFlight, max, queued, duration];
}

export function tenantLimits(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const path = c.req.path;
    if (UNLIMITED_ROUTE.test(path)) return next();
    const { limiter } = limiterFor(c.env);
    const tenant = c.req.header(tenancyVars(c.env).header)?.trim() ?? '';
    limiter.admit(tenant);
    if (!QUERY_ROUTE.test(path)) return next();
    const asked = Date.now();
    const release = await limiter.slot(tenant, c.req.raw.signal);
    gateWait.observe((Date.now() - asked) / 1000);
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
