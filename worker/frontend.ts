/**
 * @module worker/frontend — the query frontend's settings from the Worker's env: split
 * interval, freshness, retries, and the Cache API as its results cache.
 */
import type { FrontendSettings } from '../core/frontend/frontend.ts';
import { FrontendMetrics } from '../core/frontend/metrics.ts';
import {
  MemoryResultsCache,
  MissMemo,
  TieredResultsCache,
  type ResultsCache,
} from '../core/frontend/results-cache.ts';
import { CacheApiResultsCache } from './cache-api.ts';
import { bytesVar, durationVar, numberVar, tenancyVars, type Env } from './env.ts';

/** Isolate-wide counters for /metrics. */
export const frontendMetrics = new FrontendMetrics();

/** A week: cached steps never change, so the cache's own eviction is what bounds them. */
const RESULTS_TTL_SECONDS = 7 * 24 * 3600;

export function frontendEnabled(env: Env): boolean {
  return env.QUERY_FRONTEND !== 'false';
}

/** QUERY_RESULTS_CACHE_MEMORY's default: what an isolate keeps of the results cache in memory. */
const DEFAULT_MEMORY_BYTES = 16 * 1024 * 1024;

/** The isolate's memory tier, kept across requests (made anew if its budget changes). */
let memoryTier: MemoryResultsCache | undefined;
/** Keys the Cache API lacked lately, for every request of the isolate. */
const sharedMisses = new MissMemo();

export function memoryCache(env: Env): MemoryResultsCache | undefined {
  const maxBytes = bytesVar(env.QUERY_RESULTS_CACHE_MEMORY, DEFAULT_MEMORY_BYTES);
  if (!(maxBytes > 0)) return undefined;
  if (memoryTier?.lru.maxBytes !== maxBytes) memoryTier = new MemoryResultsCache({ maxBytes });
  return memoryTier;
}

function resultsCache(env: Env): ResultsCache | undefined {
  if (env.QUERY_RESULTS_CACHE === 'none' || typeof caches === 'undefined') return undefined;
  const shared = new CacheApiResultsCache(caches.default, RESULTS_TTL_SECONDS);
  const memory = memoryCache(env);
  return memory ? new TieredResultsCache(memory, shared, sharedMisses) : shared;
}

export function frontendSettings(env: Env): FrontendSettings {
  return {
    splitInterval: durationVar(env.QUERY_SPLIT_INTERVAL, 24 * 3600_000),
    maxFreshness: durationVar(env.QUERY_MAX_FRESHNESS, 60_000),
    maxRetries: Math.max(0, numberVar(env.QUERY_MAX_RETRIES, 5)),
    cache: resultsCache(env),
    metrics: frontendMetrics,
    tenantHeader: tenancyVars(env).header,
  };
}
