/**
 * @module core/frontend/splittable — whether a range query's answer over a range is the
 * concatenation of its answers over the pieces. Range-query steps are independent, with two
 * exceptions in Prometheus's engine: `@ start()` / `@ end()` name the range itself, and the
 * "vector cannot contain metrics with the same labelset" check after a unary minus or a function
 * over a selector looks at the whole range (two series that drop to the same labels in different
 * pieces fail only over the whole). Selectors with a fixed metric name cannot collide that way.
 */
import type { Expr, VectorSelector } from '../promql/ast.ts';
import { walk } from '../promql/engine/preprocess.ts';

const fixedName = (v: VectorSelector): boolean =>
  v.matchers.some((m) => m.name === '__name__' && m.type === '=');

export function splittable(expr: Expr): boolean {
  let ok = true;
  // Ancestors that are calls or unary minus, counted per depth (a `parents.some` per selector
  // would be quadratic in a deep query).
  const marks: number[] = [];
  walk(expr, (node, _subqueries, parents) => {
    if ('startOrEnd' in node && node.startOrEnd !== undefined) ok = false;
    const depth = parents.length;
    marks.length = depth;
    const parent = parents[depth - 1];
    const above = depth > 0 ? marks[depth - 1]! : 0;
    const marked =
      parent !== undefined &&
      (parent.kind === 'Call' || (parent.kind === 'UnaryExpr' && parent.op === '-'));
    marks[depth] = above + (marked ? 1 : 0);
    if (node.kind !== 'VectorSelector' || fixedName(node)) return;
    if (marks[depth]! > 0) ok = false;
  });
  return ok;
}
