/**
 * @module core/promql/functions/labels-util — small label-set and argument helpers the function
 * families share: metric-name removal, set/delete of one label, typed access to evaluated args.
 */
import { compareStrings, METRIC_NAME } from '../../labels/labels.ts';
import type { Label, Labels } from '../../labels/labels.ts';
import type { Expr } from '../ast.ts';
import type { MatrixValue, ScalarValue, StringValue, Value, VectorValue } from '../value.ts';

/** The label set without `__name__` (Prometheus `enh.DropMetricName`); the same object when absent. */
export function dropMetricName(ls: Labels): Labels {
  for (let i = 0; i < ls.length; i++) {
    if (ls[i]!.name === METRIC_NAME) return [...ls.slice(0, i), ...ls.slice(i + 1)];
  }
  return ls;
}

/** The label set without the given names (kept sorted). */
export function withoutLabels(ls: Labels, names: readonly string[]): Labels {
  let hit = false;
  for (const l of ls) if (names.includes(l.name)) hit = true;
  return hit ? ls.filter((l) => !names.includes(l.name)) : ls;
}

/** Sets `name` to `value`, or deletes it when `value` is empty (Prometheus labels.Builder semantics). */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let placed = false;
  for (const l of ls) {
    if (l.name === name) continue;
    if (!placed && value !== '' && compareStrings(l.name, name) > 0) {
      out.push({ name, value });
      placed = true;
    }
    out.push(l);
  }
  if (!placed && value !== '') out.push({ name, value });
  return out;
}

/** A stable string key for a label set (names and values cannot contain \xff in valid UTF-8). */
export function labelsKey(ls: Labels): string {
  let k = '';
  for (const l of ls) k += l.name + '\xff' + l.value + '\xff';
  return k;
}

export function vectorArg(args: readonly Value[], i: number): VectorValue {
  const v = args[i];
  if (v?.type !== 'vector')
    throw new TypeError(`argument ${i}: expected instant vector, got ${v?.type}`);
  return v;
}

export function matrixArg(args: readonly Value[], i: number): MatrixValue {
  const v = args[i];
  if (v?.type !== 'matrix')
    throw new TypeError(`argument ${i}: expected range vector, got ${v?.type}`);
  return v;
}

export function scalarArg(args: readonly Value[], i: number): ScalarValue {
  const v = args[i];
  if (v?.type !== 'scalar') throw new TypeError(`argument ${i}: expected scalar, got ${v?.type}`);
  return v;
}

export function stringArg(args: readonly Value[], i: number): string {
  const v: Value | undefined = args[i];
  if (v?.type !== 'string') throw new TypeError(`argument ${i}: expected string, got ${v?.type}`);
  return (v as StringValue).value;
}

/** Strips ParenExpr layers, as Prometheus's unwrapParenExpr does before looking at an argument. */
export function unwrapParens(e: Expr): Expr {
  while (e.kind === 'ParenExpr') e = e.expr;
  return e;
}

/** Strips ParenExpr and StepInvariantExpr layers (Prometheus unwraps both before special-casing an argument). */
export function unwrapStepInvariant(e: Expr): Expr {
  for (;;) {
    if (e.kind === 'ParenExpr' || e.kind === 'StepInvariantExpr') e = e.expr;
    else return e;
  }
}

/** Prometheus `model.LabelName.IsValid` (legacy names): `^[a-zA-Z_][a-zA-Z0-9_]*$`. */
export function isValidLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}
