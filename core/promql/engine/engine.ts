/**
 * @module core/promql/engine/engine — the PromQL Engine: parse, preprocess, start every selector's
 * select on a Queryable (with Prometheus's select hints), evaluate all steps at once while pulling
 * each selector's series batch by batch, and shape the result as Prometheus does (instant →
 * vector/scalar/string/matrix, range → sorted matrix).
 */
import { BadDataError, QueryCanceledError, QueryTimeoutError } from '../../errors.ts';
import type { Expr, SubqueryExpr, VectorSelector } from '../ast.ts';
import type { FunctionImpl } from '../functions/types.ts';
import { functionImpls } from '../functions/table.ts';
import { parseExpr } from '../parser/parse.ts';
import type { Queryable, SelectHints } from '../storage/queryable.ts';
import { SelectSource, SelectWindow } from './select-source.ts';
import { Evaluator, type EvalContext } from './evaluator.ts';
import { QueryLimits, type SharedByteBudget } from './limits.ts';
import { documentedType, exprType } from '../parser/check.ts';
import {
  type OffsetTable,
  preprocessExpr,
  setOffsetForAtModifier,
  subqueryTimes,
  walk,
} from './preprocess.ts';
import { makeRange } from './range.ts';
import { type QueryResult, instantResult, rangeResult } from './result.ts';

/** The reason sources are stopped once a query is done: one instance, no stack to capture per query. */
const QUERY_FINISHED = new QueryCanceledError('query finished');
/** Selectors whose store reads run ahead of evaluation (see SelectWindow). */
const SELECTS_AHEAD = 8;
export const DEFAULT_LOOKBACK_DELTA = 5 * 60 * 1000; // 5m, Prometheus --query.lookback-delta
export const DEFAULT_MAX_SAMPLES = 50_000_000; // Prometheus --query.max-samples
export const DEFAULT_TIMEOUT = 2 * 60 * 1000; // 2m, Prometheus --query.timeout
export const DEFAULT_NO_STEP_SUBQUERY_INTERVAL = 60 * 1000; // 1m, the default global evaluation_interval

export interface EngineOptions {
  /** ms; default 5m. */
  readonly lookbackDelta?: number;
  /** Max samples held at once; default 50,000,000. */
  readonly maxSamples?: number;
  /** ms; default 2m. */
  readonly timeout?: number;
  /** Step of `[range:]` subqueries in ms, or a function of the range; default 1m. */
  readonly noStepSubqueryInterval?: number | ((rangeMs: number) => number);
  /**
   * Max bytes one query may hold: raw samples (16 bytes each) plus the typed arrays of
   * intermediate results; default unlimited. A Worker sets it well below its 128 MB isolate.
   */
  readonly maxBytes?: number;
  /** A byte budget shared with the other queries running at once (bytes as for maxBytes). */
  readonly sharedBytes?: SharedByteBudget;
  /** Function implementations by name; default core/promql/functions/table.ts. */
  readonly functions?: ReadonlyMap<string, FunctionImpl>;
  /** Query parser; default core/promql/parser parseExpr. */
  readonly parse?: (query: string) => Expr;
}

export interface QueryOptions {
  /** Per-query lookback delta in ms (overrides the engine's when > 0). */
  readonly lookbackDelta?: number;
  readonly signal?: AbortSignal;
}

export class Engine {
  readonly #queryable: Queryable;
  readonly #opts: EngineOptions;

  constructor(queryable: Queryable, opts: EngineOptions = {}) {
    this.#queryable = queryable;
    this.#opts = opts;
  }

  /** Evaluates `q` at `time` (ms). */
  async instantQuery(
    q: string | Expr,
    time: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const expr = this.#parse(q);
    // Prometheus works in whole milliseconds (UnixNano / 1e6 truncates).
    return this.#exec(expr, Math.trunc(time), Math.trunc(time), 0, opts);
  }

  /** Evaluates `q` at start, start+step, … end (ms); the expression must give a scalar or instant vector. */
  async rangeQuery(
    q: string | Expr,
    start: number,
    end: number,
    step: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const expr = this.#parse(q);
    const t = exprType(expr);
    if (t !== 'vector' && t !== 'scalar') {
      throw new BadDataError(
        `invalid expression type ${JSON.stringify(documentedType(t))} for range query, must be Scalar or instant Vector`,
      );
    }
    if (!(Math.trunc(step) > 0))
      throw new BadDataError(
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    if (end < start) throw new BadDataError('end timestamp must not be before start time');
    return this.#exec(expr, Math.trunc(start), Math.trunc(end), Math.trunc(step), opts);
  }

  #parse(q: string | Expr): Expr {
    if (typeof q !== 'string') return q;
    return (this.#opts.parse ?? parseExpr)(q);
  }

  async #exec(
    parsed: Expr,
    start: number,
    end: number,
    interval: number,
    opts: QueryOptions,
  ): Promise<QueryResult> {
    const o = this.#opts;
    const lookbackDelta =
      opts.lookbackDelta && opts.lookbackDelta > 0
        ? opts.lookbackDelta
        : (o.lookbackDelta ?? DEFAULT_LOOKBACK_DELTA);
    const timeout = o.timeout ?? DEFAULT_TIMEOUT;
    // Stores see one signal that fires on timeout or cancelation, so they can stop their I/O;
    // the limits see it too, so evaluation stops at its next check.
    const ac = new AbortController();
    const limits = new QueryLimits({
      maxSamples: o.maxSamples ?? DEFAULT_MAX_SAMPLES,
      deadline: timeout > 0 ? Date.now() + timeout : Infinity,
      maxBytes: o.maxBytes ?? Infinity,
      signal: opts.signal,
      ...(o.sharedBytes ? { shared: o.sharedBytes } : {}),
    });
    const nsi = o.noStepSubqueryInterval ?? DEFAULT_NO_STEP_SUBQUERY_INTERVAL;
    const noStepSubqueryInterval = typeof nsi === 'number' ? () => nsi : nsi;

    const expr = preprocessExpr(parsed, start, end);
    // A wait on storage that the deadline or a cancel ends is reported as Prometheus reports a
    // slow Select: in query preparation.
    const onAbort = () =>
      ac.abort(new QueryCanceledError('query was canceled in query preparation'));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeout > 0
        ? setTimeout(
            () => ac.abort(new QueryTimeoutError('query timed out in query preparation')),
            timeout,
          )
        : undefined;
    const window = new SelectWindow(SELECTS_AHEAD);
    // An instant query is a range of one step with interval 1, as in Prometheus.
    const range = interval === 0 ? makeRange(start, start, 1) : makeRange(start, end, interval);
    const sources = this.#sources(
      expr,
      start,
      end,
      interval,
      range.times,
      lookbackDelta,
      noStepSubqueryInterval,
      ac.signal,
      window,
    );
    try {
      if (ac.signal.aborted) throw ac.signal.reason;
      // The first selectors' selects start now, concurrently; evaluation then pulls them in turn,
      // and each it starts lets the next one's select begin.
      window.open();
      const offsets: OffsetTable = new Map();
      setOffsetForAtModifier(start, expr, offsets);
      const ctx: EvalContext = {
        limits,
        lookbackDelta,
        noStepSubqueryInterval,
        offsets,
        sources,
        functions: o.functions ?? functionImpls,
      };
      const value = await new Evaluator(ctx, range).eval(expr);
      limits.check('expression evaluation');
      const out = interval === 0 ? instantResult(value, start) : rangeResult(value, range);
      const warnings: string[] = [];
      for (const src of sources.values()) warnings.push(...src.warnings());
      return {
        value: out,
        warnings,
        stats: {
          loadedSamples: limits.loaded,
          peakSamples: limits.peak,
          peakBytes: limits.peakBytes,
        },
      };
    } finally {
      limits.close();
      if (timer !== undefined) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      ac.abort(QUERY_FINISHED);
      await Promise.all([...sources.values()].map((src) => src.close()));
    }
  }

  /** A source per selector, with the select hints Prometheus's populateSeries computes. */
  #sources(
    expr: Expr,
    start: number,
    end: number,
    interval: number,
    steps: Float64Array,
    lookbackDelta: number,
    noStepSubqueryInterval: (rangeMs: number) => number,
    signal: AbortSignal,
    window: SelectWindow,
  ): Map<VectorSelector, SelectSource> {
    const sources = new Map<VectorSelector, SelectSource>();
    walk(expr, (node, subqueries, parents) => {
      if (node.kind !== 'VectorSelector') return;
      const parent = parents[parents.length - 1];
      const evalRange = parent?.kind === 'MatrixSelector' ? parent.range : 0;
      const [s, e] = selectorTimeRange(node, subqueries, start, end, evalRange, lookbackDelta);
      let step = interval;
      const last: SubqueryExpr | undefined = subqueries[subqueries.length - 1];
      if (last !== undefined)
        step = last.step !== 0 ? last.step : noStepSubqueryInterval(last.range);
      const agg = parent?.kind === 'AggregateExpr' ? parent : undefined;
      const pickAt =
        evalRange === 0 && readAtQuerySteps(node, subqueries, parents)
          ? instantsAt(steps, node.offset)
          : undefined;
      const hints: SelectHints = {
        start: s,
        end: e,
        step,
        range: evalRange,
        func: funcFromPath(parents),
        by: agg ? !agg.without : false,
        grouping: agg ? agg.grouping : undefined,
        signal,
        ...(pickAt ? { pickAt } : {}),
      };
      sources.set(node, new SelectSource(this.#queryable, node, hints, signal, window));
    });
    return sources;
  }
}

/**
 * Whether a selector outside any range is read only at the query's own steps: not under a
 * subquery or a step-invariant node, and without `@` (which reads at a fixed time).
 */
function readAtQuerySteps(
  node: VectorSelector,
  subqueries: readonly SubqueryExpr[],
  parents: readonly Expr[],
): boolean {
  if (node.timestamp !== undefined || subqueries.length > 0) return false;
  return !parents.some((p) => p.kind === 'StepInvariantExpr');
}

/** The instants a selector with `offset` is read at over the query's steps. */
function instantsAt(steps: Float64Array, offset: number): Float64Array {
  return offset === 0 ? steps : steps.map((t) => t - offset);
}

/** Prometheus getTimeRangesForSelector: the [start, end] a selector may read. */
export function selectorTimeRange(
  n: VectorSelector,
  subqueries: readonly SubqueryExpr[],
  qStart: number,
  qEnd: number,
  evalRange: number,
  lookbackDelta: number,
): [number, number] {
  let start = qStart;
  let end = qEnd;
  const sq = subqueryTimes(subqueries);
  if (sq.timestamp !== undefined) {
    start = sq.timestamp;
    end = sq.timestamp;
  }
  if (n.timestamp !== undefined) {
    start = n.timestamp;
    end = n.timestamp;
  } else {
    start = start - sq.offset - sq.range;
    end = end - sq.offset;
  }
  start -= evalRange === 0 ? lookbackDelta : evalRange;
  start -= n.offset;
  end -= n.offset;
  return [start, end];
}

/** Prometheus extractFuncFromPath: the nearest enclosing function or aggregation, unless a binary operator is nearer. */
function funcFromPath(parents: readonly Expr[]): string | undefined {
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i]!;
    if (p.kind === 'AggregateExpr') return p.op;
    if (p.kind === 'Call') return p.func.name;
    if (p.kind === 'BinaryExpr') return undefined;
  }
  return undefined;
}
