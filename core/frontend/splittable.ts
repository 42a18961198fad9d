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
  walk(expr, (node, _subqueries, parents) => {
    if ('startOrEnd' in node && node.startOrEnd !== undefined) ok = false;
    if (node.kind !== 'VectorSelector' || fixedName(node)) return;
    if (parents.some((p) => p.kind === 'Call' || (p.kind === 'UnaryExpr' && p.op === '-')))
      ok = false;
  });
  return ok;
}
