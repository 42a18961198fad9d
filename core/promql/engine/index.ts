/** @module core/promql/engine — the PromQL engine's public surface. */
export {
  Engine,
  DEFAULT_LOOKBACK_DELTA,
  DEFAULT_MAX_SAMPLES,
  DEFAULT_TIMEOUT,
  DEFAULT_NO_STEP_SUBQUERY_INTERVAL,
} from './engine.ts';
export type { EngineOptions, QueryOptions } from './engine.ts';
export type { QueryResult, QueryValue, QueryStats, Sample, Series } from './result.ts';
