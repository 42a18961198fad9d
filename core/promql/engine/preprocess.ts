/**
 * @module core/promql/engine/preprocess — what Prometheus does to a parsed query before it runs:
 * resolve `@ start()` / `@ end()`, wrap step-invariant subtrees in StepInvariantExpr (they are
 * evaluated once and broadcast to every step), and keep the "effective offset" of every selector
 * and subquery that Prometheus derives from `@` (setOffsetForAtModifier): at step t a selector
 * reads at t - effectiveOffset. Also the static type of an expression.
 */
import type {
  Expr,
  MatrixSelector,
  StepInvariantExpr,
  SubqueryExpr,
  ValueType,
  VectorSelector,
} from '../ast.ts';
import { assertNever, exprChildren } from '../ast.ts';

/**
 * Functions whose result depends on the evaluation time even with step-invariant arguments, or
 * that read sample timestamps (Prometheus AtModifierUnsafeFunctions).
 */
export const AT_MODIFIER_UNSAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

function wrap(expr: Expr): StepInvariantExpr {
  return { kind: 'StepInvariantExpr', expr, pos: expr.pos };
}

function resolveAt<T extends VectorSelector | SubqueryExpr>(n: T, start: number, end: number): T {
  if (n.startOrEnd === 'start') return { ...n, timestamp: start };
  if (n.startOrEnd === 'end') return { ...n, timestamp: end };
  return { ...n };
}

/**
 * Returns a new tree (the input is not modified) with `@ start()/end()` resolved and
 * step-invariant parts wrapped, exactly where Prometheus's PreprocessExpr wraps them.
 */
export function preprocessExpr(expr: Expr, start: number, end: number): Expr {
  // Bottom-up with an explicit stack: a query's nesting must not become call depth.
  const stack: PreprocessFrame[] = [{ e: expr, kids: preprocessChildren(expr), done: [] }];
  for (;;) {
    const f = stack[stack.length - 1]!;
    if (f.done.length < f.kids.length) {
      const kid = f.kids[f.done.length]!;
      stack.push({ e: kid, kids: preprocessChildren(kid), done: [] });
      continue;
    }
    stack.pop();
    const result = combine(f.e, f.done, start, end);
    const parent = stack[stack.length - 1];
    if (parent === undefined) return result[1] ? wrap(result[0]) : result[0];
    parent.done.push(result);
  }
}

interface PreprocessFrame {
  readonly e: Expr;
  readonly kids: readonly Expr[];
  /** The children's results: the new subtree and whether it is step-invariant. */
  readonly done: [Expr, boolean][];
}

/** The children preprocessing descends into (an aggregation's parameter is left alone). */
function preprocessChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'AggregateExpr':
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'Call':
      return e.args;
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'VectorSelector':
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'StepInvariantExpr':
      return [];
    default:
      return assertNever(e);
  }
}

/** One node from its preprocessed children: the new node and whether it is step-invariant. */
function combine(
  e: Expr,
  done: readonly [Expr, boolean][],
  start: number,
  end: number,
): [Expr, boolean] {
  switch (e.kind) {
    case 'VectorSelector': {
      const n = resolveAt(e, start, end);
      return [n, n.timestamp !== undefined];
    }
    case 'AggregateExpr': {
      // Prometheus looks only at the aggregated expression: the parameter is neither wrapped
      // nor has its `@ start()/end()` resolved.
      const [inner, inv] = done[0]!;
      return [{ ...e, expr: inner }, inv];
    }
    case 'BinaryExpr': {
      const [lhs, li] = done[0]!;
      const [rhs, ri] = done[1]!;
      if (li && ri) return [{ ...e, lhs, rhs }, true];
      return [{ ...e, lhs: li ? wrap(lhs) : lhs, rhs: ri ? wrap(rhs) : rhs }, false];
    }
    case 'Call': {
      let invariant = !AT_MODIFIER_UNSAFE_FUNCTIONS.has(e.func.name);
      for (const [, inv] of done) invariant = invariant && inv;
      if (invariant) return [{ ...e, args: done.map(([a]) => a) }, true];
      return [{ ...e, args: done.map(([a, inv]) => (inv ? wrap(a) : a)) }, false];
    }
    case 'MatrixSelector': {
      const [vs, inv] = done[0]!;
      const m: MatrixSelector = { ...e, vectorSelector: vs as VectorSelector };
      return [m, inv];
    }
    case 'SubqueryExpr': {
      // The inside is wrapped whenever it is invariant, so it runs once w.r.t. the subquery start.
      const [inner, inv] = done[0]!;
      const n = resolveAt({ ...e, expr: inv ? wrap(inner) : inner }, start, end);
      return [n, n.timestamp !== undefined];
    }
    case 'ParenExpr':
    case 'UnaryExpr': {
      const [inner, inv] = done[0]!;
      return [{ ...e, expr: inner }, inv];
    }
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'StepInvariantExpr':
      return [e, true];
    default:
      return assertNever(e);
  }
}

/** The effective offsets Prometheus keeps in VectorSelector.Offset / SubqueryExpr.Offset. */
export type OffsetTable = Map<VectorSelector | SubqueryExpr, number>;

interface SubqueryTimes {
  offset: number;
  range: number;
  timestamp: number | undefined;
}

/** Prometheus subqueryTimes: summed offsets and ranges of the enclosing subqueries, or the innermost @. */
export function subqueryTimes(path: readonly SubqueryExpr[]): SubqueryTimes {
  let offset = 0;
  let range = 0;
  let timestamp: number | undefined;
  for (const n of path) {
    offset += n.offset;
    range += n.range;
    if (n.timestamp !== undefined) {
      offset = n.offset;
      range = n.range;
      timestamp = n.timestamp;
    }
  }
  return { offset, range, timestamp };
}

/**
 * Visits every node with the enclosing subqueries (outermost first), parents before children.
 * The arrays passed to `visit` are live: copy them to keep them. Iterative, so a query's nesting
 * is not call depth.
 */
export function walk(
  expr: Expr,
  visit: (node: Expr, subqueries: readonly SubqueryExpr[], parents: readonly Expr[]) => void,
): void {
  const subqueries: SubqueryExpr[] = [];
  const parents: Expr[] = [];
  const kids: (readonly Expr[])[] = [];
  const next: number[] = [];
  const enter = (node: Expr): void => {
    visit(node, subqueries, parents);
    parents.push(node);
    if (node.kind === 'SubqueryExpr') subqueries.push(node);
    kids.push(exprChildren(node));
    next.push(0);
  };
  enter(expr);
  while (parents.length > 0) {
    const top = parents.length - 1;
    const i = next[top]!;
    const ks = kids[top]!;
    if (i < ks.length) {
      next[top] = i + 1;
      enter(ks[i]!);
      continue;
    }
    const node = parents.pop()!;
    kids.pop();
    next.pop();
    if (node.kind === 'SubqueryExpr') subqueries.pop();
  }
}

/**
 * Prometheus setOffsetForAtModifier: recomputes the effective offset of every selector and
 * subquery under `expr` relative to `evalTime` (the start of the evaluator that runs it).
 */
export function setOffsetForAtModifier(evalTime: number, expr: Expr, offsets: OffsetTable): void {
  const getOffset = (
    ts: number | undefined,
    original: number,
    path: readonly SubqueryExpr[],
  ): number => {
    if (ts === undefined) return original;
    const sq = subqueryTimes(path);
    let subqOffset = sq.offset;
    if (sq.timestamp !== undefined) subqOffset += evalTime - sq.timestamp;
    return original + (evalTime - ts) - subqOffset;
  };
  walk(expr, (node, path) => {
    if (node.kind === 'VectorSelector' || node.kind === 'SubqueryExpr') {
      offsets.set(node, getOffset(node.timestamp, node.offset, path));
    }
  });
}

export function unwrapParens(e: Expr): Expr {
  while (e.kind === 'ParenExpr') e = e.expr;
  return e;
}

/** Parens, then one StepInvariantExpr, then parens: how Prometheus finds a function's matrix argument. */
export function unwrapArg(e: Expr): Expr {
  e = unwrapParens(e);
  if (e.kind === 'StepInvariantExpr') e = e.expr;
  return unwrapParens(e);
}
