/**
 * @module worker/frontend — the query frontend's settings from the Worker's env: split
 * interval, freshness, retries, and the Cache API as its results cache.
 */
import type { FrontendSettings } from '../core/frontend/frontend.ts';
import { FrontendMetrics } from '../core/frontend/metrics.ts';
import { CacheApiResultsCache } from './cache-api.ts';
import { durationVar, numberVar, tenancyVars, type Env } from './env.ts';

/** Isolate-wide counters for /metrics. */
export const frontendMetrics = new FrontendMetrics();

/** A week: cached steps never change, so the cache's own eviction is what bounds them. */
const RESULTS_TTL_SECONDS = 7 * 24 * 3600;

export function frontendEnabled(env: Env): boolean {
  return env.QUERY_FRONTEND !== 'false';
}

export function frontendSettings(env: Env): FrontendSettings {
  const useCache = env.QUERY_RESULTS_CACHE !== 'none' && typeof caches !== 'undefined';
  return {
    splitInterval: durationVar(env.QUERY_SPLIT_INTERVAL, 24 * 3600_000),
    maxFreshness: durationVar(env.QUERY_MAX_FRESHNESS, 60_000),
    maxRetries: Math.max(0, numberVar(env.QUERY_MAX_RETRIES, 5)),
    cache: useCache ? new CacheApiResultsCache(caches.default, RESULTS_TTL_SECONDS) : undefined,
    metrics: frontendMetrics,
    tenantHeader: tenancyVars(env).header,
  };
}
