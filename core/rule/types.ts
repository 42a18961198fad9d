/**
 * @module core/rule/types — what rule evaluation needs from the outside, injected so the same
 * rules run in promtool-style unit tests (our engine over memory storage) and in the ruler
 * Durable Object (queries sent to the querier, output to the receive path).
 */
import type { Labels } from '../labels/labels.ts';

/** One sample of an instant vector (Prometheus promql.Sample without its time). */
export interface InstantSample {
  readonly metric: Labels;
  readonly v: number;
}

/** A sample a rule writes, at its evaluation time. */
export interface OutputSample {
  readonly metric: Labels;
  readonly t: number;
  readonly v: number;
}

/**
 * Evaluates `expr` as an instant query at `t` (ms): a vector, or a scalar as one sample with no
 * labels (rules.EngineQueryFunc); anything else is an error.
 */
export type QueryFunc = (expr: string, t: number) => Promise<readonly InstantSample[]>;

/** Where rule output goes (storage.Appender): samples at one evaluation, committed together. */
export interface RuleAppender {
  append(metric: Labels, t: number, v: number): void;
}

/** What every rule evaluation gets besides its own definition. */
export interface RuleEvalContext {
  readonly query: QueryFunc;
  /** The group's limit on alerts or series per rule; 0 is none. */
  readonly limit: number;
  readonly externalLabels: Labels;
  /** Templates' `$externalURL` (Prometheus: --web.external-url; promtool: the test's external_url). */
  readonly externalURL: string;
  /**
   * What templates' externalURL() and pathPrefix() return (the rule manager's URL). Absent in
   * promtool's unit tests, where calling them fails as Go's nil *url.URL does.
   */
  readonly webExternalURL?: string;
}

/** A rule evaluation failed (bad query result, duplicate series, limit exceeded, query error). */
export class RuleEvalError extends Error {}
