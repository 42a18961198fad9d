/**
 * @module worker/querier — wires the querier from env: the stores it fans out to (the isolate's
 * own bucket store and every `STORES` endpoint), the WASM codec, and the query settings and limits.
 */
import { DEFAULT_LOOKBACK_DELTA, DEFAULT_TIMEOUT } from '../core/promql/engine/engine.ts';
import { SharedByteBudget } from '../core/promql/engine/limits.ts';
import {
  DEFAULT_MAX_QUERY_DEPTH,
  DEFAULT_MAX_QUERY_LENGTH,
  type ParseLimits,
} from '../core/promql/parser/limits.ts';
import { EndpointSet } from '../core/query/endpoint-set.ts';
import { Querier } from '../core/query/querier.ts';
import { HttpStore } from '../core/storeapi/http-client.ts';
import type { Store } from '../core/storeapi/store.ts';
import { bytesVar, csv, durationVar, numberVar, tenancyVars, type Env } from './env.ts';
import { loadXorCodec } from './wasm.ts';

/**
 * Prometheus allows 50M samples, but a Worker isolate has 128 MB: the defaults keep one query's
 * samples and intermediate results well inside it (env QUERY_MAX_SAMPLES / QUERY_MAX_BYTES).
 */
const WORKER_MAX_SAMPLES = 5_000_000;
const WORKER_MAX_BYTES = 64 * 1024 * 1024;
/**
 * What the queries of one isolate may hold together (env QUERY_ISOLATE_MAX_BYTES): the 128 MB
 * also hold the code, the block index headers and the caches.
 */
const ISOLATE_MAX_BYTES = 80 * 1024 * 1024;

let isolateBudget: SharedByteBudget | undefined;

/** The isolate's one shared budget (a new one only if its limit is configured differently). */
function isolateBytes(limit: number): SharedByteBudget | undefined {
  if (limit <= 0) return undefined;
  if (isolateBudget?.limit !== limit) isolateBudget = new SharedByteBudget(limit);
  return isolateBudget;
}

/** The parser's query size limits from env QUERY_MAX_LENGTH (bytes) and QUERY_MAX_DEPTH. */
export function parseLimitsFromEnv(env: Env): ParseLimits {
  return {
    maxLength: bytesVar(env.QUERY_MAX_LENGTH, DEFAULT_MAX_QUERY_LENGTH),
    maxDepth: numberVar(env.QUERY_MAX_DEPTH, DEFAULT_MAX_QUERY_DEPTH),
  };
}

export async function querierFromEnv(
  env: Env,
  local: ReadonlyArray<{ name: string; store: Store }>,
): Promise<Querier> {
  const stores = [...local];
  for (const url of csv(env.STORES)) {
    // STORES_TOKEN, not STORE_TOKEN: the token that opens this Worker's own StoreAPI is never
    // handed to another store (which could replay it here).
    const store = new HttpStore(url, { ...(env.STORES_TOKEN ? { token: env.STORES_TOKEN } : {}) });
    // The name is the URL without its credentials: names appear in warnings and /api/v1/stores.
    stores.push({ name: store.endpoint, store });
  }
  return new Querier({
    endpoints: new EndpointSet(stores),
    decoder: await loadXorCodec(),
    replicaLabels: csv(env.REPLICA_LABELS, ['replica', 'prometheus_replica', 'receive']),
    partialResponse: (env.PARTIAL_RESPONSE ?? 'true') !== 'false',
    queryTimeout: durationVar(env.QUERY_TIMEOUT, DEFAULT_TIMEOUT),
    maxSamples: numberVar(env.QUERY_MAX_SAMPLES, WORKER_MAX_SAMPLES),
    maxSeries: numberVar(env.QUERY_MAX_SERIES, 0),
    maxBytes: bytesVar(env.QUERY_MAX_BYTES, WORKER_MAX_BYTES),
    sharedBytes: isolateBytes(bytesVar(env.QUERY_ISOLATE_MAX_BYTES, ISOLATE_MAX_BYTES)),
    storeResponseTimeout: durationVar(env.STORE_RESPONSE_TIMEOUT, 0),
    lookbackDelta: durationVar(env.QUERY_LOOKBACK_DELTA, DEFAULT_LOOKBACK_DELTA),
    tenancy: tenancyVars(env),
    defaultEvaluationInterval: durationVar(env.QUERY_DEFAULT_EVALUATION_INTERVAL, 60_000),
  });
}
