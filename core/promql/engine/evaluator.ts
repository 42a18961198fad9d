/**
 * @module core/promql/engine/evaluator — evaluates a preprocessed expression for all steps of an
 * EvalRange at once (Prometheus engine.go evaluator.eval, made columnar). Every node returns a
 * Value; vectors are series with one slot per step. Label-set collisions are merged or rejected
 * exactly where Prometheus's step-wise evaluation would (see series.ts).
 *
 * Selectors stream: an instant selector, and a range function over a range selector, turn each
 * batch of raw series into step values and let the batch go, so a query holds its output and one
 * batch of input. Only a range vector that is itself the result, or absent_over_time (which must
 * see every series at once), holds all its raw samples.
 */
import { ExecutionError, NotSupportedError } from '../../errors.ts';
import type {
  AggregateExpr,
  BinaryExpr,
  Call,
  Expr,
  SubqueryExpr,
  VectorSelector,
} from '../ast.ts';
import { assertNever } from '../ast.ts';
import type { FunctionImpl } from '../functions/types.ts';
import type { RawSeries } from '../storage/queryable.ts';
import { BYTES_PER_SAMPLE } from './limits.ts';
import type { SelectSource } from './select-source.ts';
import {
  OUTPUT_STEP_BYTES,
  type EvalRange,
  type FunctionContext,
  type MatrixValue,
  type ScalarValue,
  type StepSeries,
  type Value,
  type VectorValue,
} from '../value.ts';
import {
  AggregateFolder,
  TopBottomKFolder,
  aggregate,
  foldsSeries,
  isTopBottomK,
  sortGrouping,
  type AggregateParams,
} from './aggregate.ts';
import {
  isComparison,
  scalarScalar,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalar,
  vectorUnless,
} from './binary.ts';
import type { QueryLimits } from './limits.ts';
import { type OffsetTable, unwrapArg, unwrapParens } from './preprocess.ts';
import { foldVector, selectMatrix, selectVector } from './selector.ts';
import { batchDone } from '../storage/batch-done.ts';
import {
  DUPLICATE_LABELSET,
  checkUniqueStrict,
  dropMetricName,
  labelsKey,
  mergeSameLabels,
} from './series.ts';
import { subqueryRange, subqueryToMatrix } from './subquery.ts';
import { makeRange } from './range.ts';

export { makeRange };

export interface EvalContext {
  readonly limits: QueryLimits;
  readonly lookbackDelta: number;
  /** Step of a subquery written without one (`[5m:]`): Prometheus's NoStepSubqueryIntervalFn. */
  readonly noStepSubqueryInterval: (rangeMs: number) => number;
  /** Effective offsets (Prometheus's mutable Offset fields), updated as subqueries run. */
  readonly offsets: OffsetTable;
  /** Each selector's series, pulled as evaluation reaches it. */
  readonly sources: ReadonlyMap<VectorSelector, SelectSource>;
  readonly functions: ReadonlyMap<string, FunctionImpl>;
}

/** Steps at which a series has a value. */
function presentCount(s: StepSeries): number {
  let n = 0;
  for (let i = 0; i < s.present.length; i++) n += s.present[i]!;
  return n;
}

/** Bytes of a series' step columns. */
function seriesBytes(s: StepSeries): number {
  return s.values.byteLength + s.present.byteLength + (s.timestamps?.byteLength ?? 0);
}

/** Bytes of the typed arrays a value holds (what it costs to keep it until the parent is done). */
function bytesOf(v: Value): number {
  switch (v.type) {
    case 'scalar':
      return v.values.byteLength;
    case 'vector': {
      let n = 0;
      for (const s of v.series) n += seriesBytes(s);
      return n;
    }
    case 'matrix': {
      let n = v.windowEnd.byteLength;
      for (const s of v.series) n += s.t.byteLength + s.v.byteLength;
      return n;
    }
    default:
      return 0;
  }
}

function points(v: Value): number {
  switch (v.type) {
    case 'scalar':
      return v.values.length;
    case 'vector': {
      let n = 0;
      for (const s of v.series) n += presentCount(s);
      return n;
    }
    case 'matrix': {
      let n = 0;
      for (const s of v.series) n += s.length;
      return n;
    }
    default:
      return 0;
  }
}

/** Series x steps of range-function work between two deadline checks. */
const STEP_WORK_PER_CHECK = 1 << 20;

/** Range functions whose answer depends on all series at once (they cannot run batch by batch). */
const WHOLE_MATRIX_FUNCTIONS: ReadonlySet<string> = new Set(['absent_over_time']);

export class Evaluator {
  readonly #ctx: EvalContext;
  readonly range: EvalRange;

  constructor(ctx: EvalContext, range: EvalRange) {
    this.#ctx = ctx;
    this.range = range;
  }

  /**
   * Evaluates `root`. Nodes are evaluated children first with an explicit stack of frames (one
   * per node being evaluated), so a query's nesting — 10,000 parentheses, a 40,000-term sum —
   * never becomes JavaScript call depth.
   */
  async eval(root: Expr): Promise<Value> {
    const stack: EvalFrame[] = [];
    let frame: EvalFrame = this.#enter(root);
    const limits = this.#ctx.limits;
    for (;;) {
      // A query of many nodes gives the event loop a turn now and then (every few nodes, see
      // QueryLimits.breathe): other requests of the isolate (health checks) get answered, and in
      // workerd the clock (the deadline) advances. A 300-selector query held /-/healthy 1-2 s.
      await limits.breathe('expression evaluation');
      if (frame.next < frame.plan.children.length) {
        const child = frame.plan.children[frame.next++]!();
        stack.push(frame);
        frame = child.ev.#enter(child.e);
        continue;
      }
      const v = frame.ev.#leave(frame, await frame.plan.finish(frame.values));
      const parent = stack.pop();
      if (parent === undefined) return v;
      parent.values.push(v);
      frame = parent;
    }
  }

  #enter(e: Expr): EvalFrame {
    const limits = this.#ctx.limits;
    limits.check('expression evaluation');
    // While a node runs, its inputs and its growing output are held together (Prometheus's
    // rangeEval counts both); once it is done, only the output stays accounted.
    return {
      e,
      ev: this,
      base: limits.current,
      baseBytes: limits.bytes,
      outputBase: limits.outputCharged,
      plan: this.#plan(e),
      next: 0,
      values: [],
    };
  }

  #leave(f: EvalFrame, v: Value): Value {
    this.#settle(f, f.e.kind, points(v), bytesOf(v));
    return v;
  }

  /**
   * A node's accounting once it is done, from where it started (`f`), what kind it is, and its
   * output's points and bytes: its inputs are released and only the output stays accounted.
   */
  #settle(f: FrameBase, kind: Expr['kind'], outPoints: number, bytes: number): void {
    const limits = this.#ctx.limits;
    const held = limits.current - f.base;
    const heldBytes = limits.bytes - f.baseBytes;
    // heldBytes includes what the node's operator charged for its output as it made it; counted
    // once here, as the output's own bytes.
    const charged = limits.outputCharged - f.outputBase;
    limits.rewindOutputCharged(f.outputBase);
    if (kind === 'VectorSelector' || kind === 'ParenExpr' || kind === 'UnaryExpr') {
      // The result is the input itself (a selector charges as it selects; parens and unary
      // minus work in place in Prometheus): count it once.
      limits.release(held);
      limits.releaseBytes(heldBytes);
      limits.add(outPoints);
      limits.addBytes(bytes);
      return;
    }
    limits.add(outPoints);
    // Inputs and output together: checked as the output was charged, and here for what the
    // operator did not charge.
    const uncharged = Math.max(0, bytes - charged);
    limits.addBytes(uncharged);
    limits.release(held);
    limits.releaseBytes(heldBytes + uncharged);
    limits.addBytes(bytes);
  }

  /** What evaluating `e` takes: its sub-evaluations, in order, and how their values combine. */
  #plan(e: Expr): EvalPlan {
    const { count } = this.range;
    switch (e.kind) {
      case 'NumberLiteral':
        return leaf(() => {
          this.#ctx.limits.chargeOutput(count * 8);
          return { type: 'scalar', values: new Float64Array(count).fill(e.value) };
        });
      case 'StringLiteral':
        return leaf(() => ({ type: 'string', value: e.value }));
      case 'ParenExpr':
        return { children: [this.#child(e.expr)], finish: ([v]) => v! };
      case 'VectorSelector':
        return leaf(async () => ({ type: 'vector', series: await this.#selectVector(e, false) }));
      case 'MatrixSelector':
        return leaf(() => this.#matrixSelector(e.vectorSelector, e.range));
      case 'SubqueryExpr':
        return this.#subquery(e, (m) => m);
      case 'StepInvariantExpr':
        return this.#stepInvariant(e.expr);
      case 'UnaryExpr':
        return { children: [this.#child(e.expr)], finish: ([v]) => this.#unary(e.op, v!) };
      case 'BinaryExpr':
        return {
          children: [this.#child(e.lhs), this.#child(e.rhs)],
          finish: ([l, r]) => this.#binary(e, l!, r!),
        };
      case 'AggregateExpr':
        return this.#aggregate(e);
      case 'Call':
        return this.#call(e);
      default:
        return assertNever(e);
    }
  }

  /** A sub-evaluation of `e` in this evaluator's range. */
  #child(e: Expr): () => EvalChild {
    return () => ({ e, ev: this });
  }

  #source(vs: VectorSelector): SelectSource {
    const s = this.#ctx.sources.get(vs);
    if (s === undefined) {
      throw new ExecutionError('internal error: selector has no source');
    }
    return s;
  }

  #offset(n: VectorSelector | SubqueryExpr): number {
    return this.#ctx.offsets.get(n) ?? n.offset;
  }

  /**
   * Pulls the selector's batches; each is accounted while `use` turns it into step values, then
   * released.
   */
  async #stream(vs: VectorSelector, use: (batch: readonly RawSeries[]) => void): Promise<void> {
    const limits = this.#ctx.limits;
    for await (const batch of this.#source(vs).batches()) {
      let samples = 0;
      for (const s of batch) samples += s.t.length;
      limits.addLoaded(samples);
      limits.addBytes(samples * BYTES_PER_SAMPLE);
      try {
        use(batch);
      } finally {
        limits.releaseBytes(samples * BYTES_PER_SAMPLE);
      }
      // `use` copies out what it keeps (selected steps, a range function's outputs).
      batchDone(batch);
      await limits.breathe('expression evaluation');
    }
  }

  /** Every series of the selector, held (and accounted) until the query ends. */
  async #allRaw(vs: VectorSelector): Promise<RawSeries[]> {
    const limits = this.#ctx.limits;
    const all: RawSeries[] = [];
    for await (const batch of this.#source(vs).batches()) {
      let samples = 0;
      for (const s of batch) {
        samples += s.t.length;
        all.push(s);
      }
      limits.addLoaded(samples);
      limits.addBytes(samples * BYTES_PER_SAMPLE);
    }
    return all;
  }

  async #selectVector(
    vs: VectorSelector,
    withTimestamps: boolean,
    fixedRef?: number,
  ): Promise<StepSeries[]> {
    const out: StepSeries[] = [];
    await this.#selectEach(vs, withTimestamps, fixedRef, (s) => out.push(s));
    return out;
  }

  /**
   * The selector's step values a batch at a time, each series handed to `use` in order. With
   * `folding`, every series comes in the same columns (foldVector): `use` must not keep them.
   */
  async #selectEach(
    vs: VectorSelector,
    withTimestamps: boolean,
    fixedRef: number | undefined,
    use: (s: StepSeries) => void,
    folding = false,
  ): Promise<void> {
    const opts = {
      offset: this.#offset(vs),
      lookbackDelta: this.#ctx.lookbackDelta,
      withTimestamps,
      fixedRef,
    };
    const { times } = this.range;
    const limits = this.#ctx.limits;
    await this.#stream(vs, (batch) => {
      if (folding) foldVector(batch, times, opts, limits, use);
      else for (const s of selectVector(batch, times, opts, limits)) use(s);
    });
  }

  #windowEnds(vs: VectorSelector): Float64Array {
    const offset = this.#offset(vs);
    const { times } = this.range;
    // Charged before it is made: inside a subquery there can be millions of windows.
    this.#ctx.limits.addBytes(times.length * 8);
    this.#ctx.limits.check('expression evaluation');
    const windowEnd = new Float64Array(times.length);
    for (let i = 0; i < times.length; i++) windowEnd[i] = times[i]! - offset;
    return windowEnd;
  }

  /** A range vector as a value of its own (an instant query's `x[5m]`, absent_over_time's input). */
  async #matrixSelector(vs: VectorSelector, range: number): Promise<MatrixValue> {
    const raw = await this.#allRaw(vs);
    const { value, maxWindow } = selectMatrix(raw, this.#windowEnds(vs), range, this.#ctx.limits);
    this.#ctx.limits.add(maxWindow);
    return value;
  }

  /**
   * A range function over a range selector, batch by batch: the function's output is kept, the
   * raw samples are not. The limits are charged with the largest window of any series, as when
   * the whole range vector is held.
   */
  async #streamRangeFunction(
    vs: VectorSelector,
    range: number,
    call: (m: MatrixValue) => Value,
    use?: (s: StepSeries) => void,
  ): Promise<StepSeries[]> {
    const windowEnd = this.#windowEnds(vs);
    const limits = this.#ctx.limits;
    const out: StepSeries[] = [];
    let charged = 0;
    // A part's outputs are charged before the function makes them, and the deadline is checked
    // between parts: inside a subquery a range function can run over millions of steps.
    const perPart = Math.max(1, Math.floor(STEP_WORK_PER_CHECK / Math.max(1, windowEnd.length)));
    await this.#stream(vs, (batch) => {
      const { value, maxWindow } = selectMatrix(batch, windowEnd, range, limits);
      if (maxWindow > charged) {
        limits.add(maxWindow - charged);
        charged = maxWindow;
      }
      for (let i = 0; i < value.series.length; i += perPart) {
        const part = value.series.slice(i, i + perPart);
        limits.check('expression evaluation');
        limits.chargeOutput(part.length * windowEnd.length * OUTPUT_STEP_BYTES);
        const v = call({ ...value, series: part });
        if (v.type !== 'vector') {
          throw new ExecutionError(`range function returned ${v.type}, want instant vector`);
        }
        if (use) for (const s of v.series) use(s);
        else for (const s of v.series) out.push(s);
      }
    });
    return out;
  }

  /**
   * A subquery: its expression evaluated over the inner steps (timed when the evaluation starts,
   * since that moves the offsets under it), then windowed; `use` takes the range vector.
   */
  #subquery(e: SubqueryExpr, use: (m: MatrixValue) => Value | Promise<Value>): EvalPlan {
    let timing: { inner: EvalRange; windowOffset: number } | undefined;
    return {
      children: [
        () => {
          const { range: inner, windowOffset } = subqueryRange(
            e,
            this.range,
            this.#offset(e),
            this.#ctx,
          );
          timing = { inner, windowOffset };
          return { e: e.expr, ev: new Evaluator(this.#ctx, inner) };
        },
      ],
      finish: ([v]) => {
        if (v!.type !== 'vector')
          throw new ExecutionError(`subquery is only allowed on instant vector, got ${v!.type}`);
        const { inner, windowOffset } = timing!;
        return use(subqueryToMatrix(v!, inner, e.range, this.range.times, windowOffset));
      },
    };
  }

  /** Evaluated once at the range start, then repeated for every step. */
  #stepInvariant(inner: Expr): EvalPlan {
    if (inner.kind === 'NumberLiteral' || inner.kind === 'StringLiteral') {
      return { children: [this.#child(inner)], finish: ([v]) => v! };
    }
    const { start, interval, count } = this.range;
    return {
      children: [
        () => ({ e: inner, ev: new Evaluator(this.#ctx, makeRange(start, start, interval)) }),
      ],
      finish: ([once]) => {
        if (once!.type === 'matrix' || once!.type === 'string' || count === 1) return once!;
        // One step's answer repeated over every step: the output can be far larger than the input.
        const charge = this.#ctx.limits.chargeOutput;
        if (once!.type === 'scalar') {
          charge(count * 8);
          return {
            type: 'scalar',
            values: new Float64Array(count).fill(count > 0 ? once!.values[0]! : NaN),
          };
        }
        const series: StepSeries[] = [];
        for (const s of once!.series) {
          if (s.present[0] !== 1) continue;
          charge(count * OUTPUT_STEP_BYTES);
          series.push({
            labels: s.labels,
            values: new Float64Array(count).fill(s.values[0]!),
            present: new Uint8Array(count).fill(1),
          });
        }
        return { type: 'vector', series };
      },
    };
  }

  #unary(op: '+' | '-', v: Value): Value {
    if (op === '+') return v;
    const charge = this.#ctx.limits.chargeOutput;
    if (v.type === 'scalar') {
      charge(v.values.length * 8);
      return { type: 'scalar', values: v.values.map((x) => -x) };
    }
    if (v.type !== 'vector')
      throw new ExecutionError(
        `unary expression only allowed on scalars and instant vectors, got ${v.type}`,
      );
    const series = v.series.map((s) => {
      charge(s.values.length * 8);
      return {
        labels: dropMetricName(s.labels),
        values: s.values.map((x) => -x),
        present: s.present,
      };
    });
    return { type: 'vector', series: checkUniqueStrict(series) };
  }

  #binary(e: BinaryExpr, l: Value, r: Value): Value {
    const { count } = this.range;
    const charge = this.#ctx.limits.chargeOutput;
    if (l.type === 'scalar' && r.type === 'scalar') {
      return { type: 'scalar', values: scalarScalar(e.op, l.values, r.values, charge) };
    }
    if (l.type === 'vector' && r.type === 'vector') {
      let series: StepSeries[];
      switch (e.op) {
        case 'and':
          series = vectorAnd(l.series, r.series, e.matching, count, charge);
          break;
        case 'or':
          series = vectorOr(l.series, r.series, e.matching, count, charge);
          break;
        case 'unless':
          series = vectorUnless(l.series, r.series, e.matching, count, charge);
          break;
        default:
          series = vectorBinop(e.op, l.series, r.series, e.matching, e.returnBool, count, charge);
      }
      return { type: 'vector', series };
    }
    if (l.type === 'vector' && r.type === 'scalar') {
      return {
        type: 'vector',
        series: vectorScalar(e.op, l.series, r.values, false, e.returnBool, charge),
      };
    }
    if (l.type === 'scalar' && r.type === 'vector') {
      return {
        type: 'vector',
        series: vectorScalar(e.op, r.series, l.values, true, e.returnBool, charge),
      };
    }
    throw new ExecutionError(
      `binary operator "${e.op}" not allowed between ${l.type} and ${r.type}`,
    );
  }

  #aggregate(e: AggregateExpr): EvalPlan {
    const input = unwrapParens(e.expr);
    if (e.param === undefined && foldsSeries(e.op) && input.kind === 'VectorSelector') {
      // Folded as the selector's batches arrive: its step values are never held whole (they
      // are still charged to the limits as if they were, as Prometheus holds them).
      return leaf(async () => {
        const folder = new AggregateFolder(this.#aggregateParams(e));
        await this.#selectEach(input, false, undefined, (s) => folder.add(s), true);
        return { type: 'vector', series: folder.finish() };
      });
    }
    if (e.param !== undefined && isTopBottomK(e.op) && input.kind === 'VectorSelector') {
      // Folded too: only each group's k best members per step are kept.
      return {
        children: [this.#child(e.param)],
        finish: async (values) => {
          const folder = new TopBottomKFolder({
            ...this.#aggregateParams(e),
            scalarParam: scalarParamOf(e, values[0]!),
          });
          await this.#selectEach(input, false, undefined, (s) => folder.add(s), true);
          return { type: 'vector', series: folder.finish() };
        },
      };
    }
    if (input.kind === 'Call' && (e.param === undefined ? foldsSeries(e.op) : isTopBottomK(e.op))) {
      const folded = this.#foldedRangeCall(e, input);
      if (folded) return folded;
    }
    let stringParam: string | undefined;
    const children = [this.#child(e.expr)];
    const p = e.param !== undefined ? unwrapArg(e.param) : undefined;
    if (p !== undefined && p.kind === 'StringLiteral') stringParam = p.value;
    else if (e.param !== undefined) children.unshift(this.#child(e.param));
    return {
      children,
      finish: (values) => {
        let scalarParam: Float64Array | undefined;
        if (values.length === 2) {
          const v = values[0]!;
          if (v.type === 'scalar') scalarParam = v.values;
          else if (v.type === 'string') stringParam = v.value;
          else throw new ExecutionError(`expected scalar parameter for ${e.op}, got ${v.type}`);
        }
        const input = values[values.length - 1]!;
        if (input.type !== 'vector')
          throw new ExecutionError(`expected instant vector for ${e.op}, got ${input.type}`);
        const series = aggregate(input.series, {
          ...this.#aggregateParams(e),
          scalarParam,
          stringParam,
        });
        return { type: 'vector', series };
      },
    };
  }

  /**
   * `agg` over a range function of a range selector (`sum by (job) (rate(x[5m]))`), folded as the
   * function's outputs arrive batch by batch: they are never held whole. The call's accounting
   * and checks are those of its own node, replayed where that node would have ended: its outputs
   * charged as they are made, a repeated label set refused once all are made, then only its
   * output's points and bytes kept (as Prometheus holds the function's matrix) until the
   * aggregation ends. Undefined when the call does not stream (absent_over_time, subqueries).
   */
  #foldedRangeCall(agg: AggregateExpr, e: Call): EvalPlan | undefined {
    const impl = this.#ctx.functions.get(e.func.name);
    if (impl === undefined || WHOLE_MATRIX_FUNCTIONS.has(e.func.name)) return undefined;
    const { matrixAt, others, withArgs } = this.#callArgs(e);
    if (matrixAt < 0) return undefined;
    const u = unwrapArg(e.args[matrixAt]!);
    if (u.kind !== 'MatrixSelector') return undefined;
    const limits = this.#ctx.limits;
    // The call's node would start where the aggregation's starts (it is its only child).
    const call: FrameBase = {
      base: limits.current,
      baseBytes: limits.bytes,
      outputBase: limits.outputCharged,
    };
    const fctx = this.#functionContext();
    // topk/bottomk's parameter is evaluated first, as it is without folding.
    const param = agg.param !== undefined ? [this.#child(agg.param)] : [];
    return {
      children: [...param, ...others],
      finish: async (all) => {
        const values = all.slice(param.length);
        const args = withArgs(values);
        const folder =
          param.length > 0
            ? new TopBottomKFolder({
                ...this.#aggregateParams(agg),
                scalarParam: scalarParamOf(agg, all[0]!),
              })
            : new AggregateFolder(this.#aggregateParams(agg));
        const seen = new Set<string>();
        let duplicate = false;
        let outPoints = 0;
        let outBytes = 0;
        await this.#streamRangeFunction(
          u.vectorSelector,
          u.range,
          (m) => {
            args[matrixAt] = m;
            return impl(args, fctx, e);
          },
          (s) => {
            // As #afterCall's checkUniqueStrict: series without points are dropped first.
            const n = presentCount(s);
            if (n === 0) return;
            const key = labelsKey(s.labels);
            if (seen.has(key)) duplicate = true;
            seen.add(key);
            outPoints += n;
            outBytes += seriesBytes(s);
            folder.add(s);
          },
        );
        if (duplicate) throw new ExecutionError(DUPLICATE_LABELSET);
        this.#settle(call, 'Call', outPoints, outBytes);
        return { type: 'vector', series: folder.finish() };
      },
    };
  }

  #aggregateParams(e: AggregateExpr): AggregateParams {
    return {
      op: e.op,
      grouping: sortGrouping(e.grouping),
      without: e.without,
      count: this.range.count,
      charge: this.#ctx.limits.chargeOutput,
    };
  }

  #call(e: Call): EvalPlan {
    const name = e.func.name;
    const impl = this.#ctx.functions.get(name);
    if (impl === undefined) throw new NotSupportedError(`function "${name}" is not supported`);
    const fctx = this.#functionContext();
    if (name === 'timestamp' && e.args.length === 1) {
      const arg = unwrapArg(e.args[0]!);
      if (arg.kind === 'VectorSelector') {
        // Prometheus reads the selector per step with the sample's own timestamp; with `@` it sets
        // the offset to (step - @), i.e. always reads at the @ time, ignoring `offset`.
        return leaf(async () => {
          const series = await this.#selectVector(arg, true, arg.timestamp);
          return this.#afterCall(impl([{ type: 'vector', series }], fctx, e), false);
        });
      }
    }
    const { matrixAt, others, withArgs } = this.#callArgs(e);
    if (matrixAt < 0)
      return {
        children: others,
        finish: (values) => this.#afterCall(impl(withArgs(values), fctx, e), false),
      };
    const u = unwrapArg(e.args[matrixAt]!);
    if (u.kind === 'SubqueryExpr') {
      let args: Value[] = [];
      const sq = this.#subquery(u, (m) => {
        // A selector's windows share the raw arrays already accounted; a subquery's are new.
        this.#ctx.limits.addBytes(bytesOf(m));
        args[matrixAt] = m;
        return this.#afterCall(impl(args, fctx, e), true);
      });
      return {
        children: [...others, ...sq.children],
        finish: (values) => {
          args = withArgs(values);
          return sq.finish(values.slice(others.length));
        },
      };
    }
    if (u.kind !== 'MatrixSelector') throw new ExecutionError('internal error: no range argument');
    return {
      children: others,
      finish: async (values) => {
        const args = withArgs(values);
        if (WHOLE_MATRIX_FUNCTIONS.has(name)) {
          args[matrixAt] = await this.#matrixSelector(u.vectorSelector, u.range);
          return this.#afterCall(impl(args, fctx, e), true);
        }
        const series = await this.#streamRangeFunction(u.vectorSelector, u.range, (m) => {
          args[matrixAt] = m;
          return impl(args, fctx, e);
        });
        return this.#afterCall({ type: 'vector', series }, true);
      },
    };
  }

  /**
   * A call's arguments: the range one (a range selector or subquery, which streams; -1 if none)
   * and the others, evaluated first as children; `withArgs` puts their values back in place.
   */
  #callArgs(e: Call): {
    matrixAt: number;
    others: (() => EvalChild)[];
    withArgs: (values: readonly Value[]) => Value[];
  } {
    const matrixAt = e.args.findIndex((a) => {
      const u = unwrapArg(a);
      return u.kind === 'MatrixSelector' || u.kind === 'SubqueryExpr';
    });
    const others = e.args.filter((_, i) => i !== matrixAt).map((a) => this.#child(a));
    const withArgs = (values: readonly Value[]): Value[] => {
      const args: Value[] = new Array(e.args.length);
      let k = 0;
      for (let i = 0; i < e.args.length; i++) if (i !== matrixAt) args[i] = values[k++]!;
      return args;
    };
    return { matrixAt, others, withArgs };
  }

  #afterCall(v: Value, matrixArg: boolean): Value {
    if (v.type !== 'vector') return v;
    // A range function's output matrix must not repeat a label set at all (even at different
    // steps); other functions are checked step by step.
    return {
      type: 'vector',
      series: matrixArg ? checkUniqueStrict(v.series) : mergeSameLabels(v.series),
    };
  }

  #functionContext(): FunctionContext {
    const limits = this.#ctx.limits;
    return {
      range: this.range,
      lookbackDelta: this.#ctx.lookbackDelta,
      track: (n: number) => limits.add(n),
      charge: limits.chargeOutput,
    };
  }
}

/** Where a sub-evaluation runs: its expression and the evaluator (range) it runs in. */
interface EvalChild {
  readonly e: Expr;
  readonly ev: Evaluator;
}

/**
 * A node's evaluation: `children` are produced lazily, in order (a subquery times its inner
 * steps only when it starts), and `finish` combines their values.
 */
interface EvalPlan {
  readonly children: readonly (() => EvalChild)[];
  readonly finish: (values: readonly Value[]) => Value | Promise<Value>;
}

/** Samples and bytes accounted, and output bytes charged, when a node started. */
interface FrameBase {
  readonly base: number;
  readonly baseBytes: number;
  readonly outputBase: number;
}

interface EvalFrame extends FrameBase {
  readonly e: Expr;
  readonly ev: Evaluator;
  readonly plan: EvalPlan;
  next: number;
  readonly values: Value[];
}

function leaf(finish: () => Value | Promise<Value>): EvalPlan {
  return { children: [], finish };
}

export type { VectorValue, ScalarValue };

/** An aggregation's evaluated scalar parameter (the parser admits only a scalar here). */
function scalarParamOf(e: AggregateExpr, v: Value): Float64Array {
  if (v.type !== 'scalar')
    throw new ExecutionError(`expected scalar parameter for ${e.op}, got ${v.type}`);
  return v.values;
}
