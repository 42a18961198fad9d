/** @module core/api/options — what the Prometheus API app is built from, shared by its route files. */
import type { ParseLimits } from '../promql/parser/limits.ts';
import type { Querier } from '../query/querier.ts';

export interface ApiOptions<E> {
  /** The querier for this request's environment (the Worker builds it from its bindings). */
  readonly querier: (env: E) => Querier | Promise<Querier>;
  readonly buildInfo?: Record<string, string>;
  readonly flags?: (env: E) => Record<string, string>;
  readonly runtimeInfo?: (env: E) => Record<string, unknown>;
  /** The effective configuration as YAML (`/api/v1/status/config`). */
  readonly config?: (env: E) => string;
  /** Query size and nesting limits (the Worker's QUERY_MAX_LENGTH / QUERY_MAX_DEPTH); parser defaults when absent. */
  readonly parseLimits?: (env: E) => ParseLimits;
  /**
   * This deployment's own ruler: its `/api/v1/rules` or `/api/v1/alerts` answer (`data`) for the
   * request's query string, merged with the sidecars' Prometheus rules; undefined: no ruler.
   */
  readonly localRules?: (
    env: E,
    path: '/api/v1/rules' | '/api/v1/alerts',
    search: string,
  ) => Promise<unknown> | undefined;
  /** Clock for `time` defaults (tests). */
  readonly now?: () => number;
}

export type ApiEnv<E> = { Bindings: E };
