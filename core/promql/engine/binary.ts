/**
 * @module core/promql/engine/binary — binary operators over all steps at once (Prometheus
 * engine.go scalarBinop / VectorscalarBinop / VectorBinop / VectorAnd|Or|Unless): arithmetic with
 * Go's math semantics, comparisons as filters or with `bool`, one-to-one and group_left/right
 * vector matching with Prometheus's duplicate-match errors, and the set operators.
 */
import { ColumnArena, columnBytes } from '../column-arena.ts';
import { goPow } from '../../gocompat/math.ts';
import {
  METRIC_NAME,
  compareStrings,
  labelsToString,
  type Label,
  type Labels,
} from '../../labels/labels.ts';
import { ExecutionError } from '../../errors.ts';
import type { BinaryOp, VectorMatching } from '../ast.ts';
import { OUTPUT_STEP_BYTES, type StepSeries } from '../value.ts';
import {
  DUPLICATE_LABELSET,
  deleteLabels,
  dropMetricName,
  keepLabels,
  labelsKey,
  mergeSameLabels,
  setLabel,
} from './series.ts';
import type { ChargeOutput } from './limits.ts';

export function isComparison(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): boolean {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** Operators whose result loses the metric name (shouldDropMetricName). */
export function dropsMetricName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '^' || op === '%';
}

/** Arithmetic on two numbers (math.Mod == JS % for floats: both truncate, sign of the dividend). */
export function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    default:
      throw new ExecutionError(`operator "${op}" not allowed for arithmetic`);
  }
}

export function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
    default:
      throw new ExecutionError(`operator "${op}" is not a comparison`);
  }
}

/** scalar op scalar: comparisons always yield 0/1 (the parser demands `bool`). */
export function scalarScalar(
  op: BinaryOp,
  a: Float64Array,
  b: Float64Array,
  charge: ChargeOutput,
): Float64Array {
  charge(a.length * 8);
  const out = new Float64Array(a.length);
  if (isComparison(op)) {
    for (let i = 0; i < a.length; i++) out[i] = compare(op, a[i]!, b[i]!) ? 1 : 0;
  } else {
    for (let i = 0; i < a.length; i++) out[i] = arith(op, a[i]!, b[i]!);
  }
  return out;
}

/**
 * vector op scalar (or scalar op vector with `swap`). A filtering comparison keeps the vector
 * element's value whichever side it is on.
 */
export function vectorScalar(
  op: BinaryOp,
  vec: readonly StepSeries[],
  scalar: Float64Array,
  swap: boolean,
  returnBool: boolean,
  charge: ChargeOutput,
): StepSeries[] {
  const cmp = isComparison(op);
  const dropName = dropsMetricName(op) || returnBool;
  const out: StepSeries[] = [];
  const arena = new ColumnArena(columnBytes(vec.length, vec[0]?.values.length ?? 0));
  for (const s of vec) {
    const n = s.values.length;
    charge(n * OUTPUT_STEP_BYTES);
    const values = arena.f64(n);
    const present = arena.u8(n);
    for (let i = 0; i < n; i++) {
      if (s.present[i] !== 1) continue;
      const v = s.values[i]!;
      const l = swap ? scalar[i]! : v;
      const r = swap ? v : scalar[i]!;
      if (cmp) {
        const keep = compare(op, l, r);
        if (returnBool) {
          values[i] = keep ? 1 : 0;
          present[i] = 1;
        } else if (keep) {
          values[i] = v;
          present[i] = 1;
        }
      } else {
        values[i] = arith(op, l, r);
        present[i] = 1;
      }
    }
    out.push({ labels: dropName ? dropMetricName(s.labels) : s.labels, values, present });
  }
  return mergeSameLabels(out);
}

/** Prometheus signatureFunc: the labels two series must agree on to match. */
export function signatureFn(matching: VectorMatching | undefined): (ls: Labels) => string {
  const names = [...(matching?.matchingLabels ?? [])].sort(compareStrings);
  if (matching?.on) {
    return (ls) => {
      let k = '';
      for (const l of ls) if (names.includes(l.name)) k += `${l.name}\xff${l.value}\xfe`;
      return k;
    };
  }
  return (ls) => {
    let k = '';
    for (const l of ls)
      if (l.name !== METRIC_NAME && !names.includes(l.name)) k += `${l.name}\xff${l.value}\xfe`;
    return k;
  };
}

/** Labels.MatchLabels, for error messages. */
function matchLabels(ls: Labels, on: boolean, names: readonly string[]): Labels {
  const out: Label[] = [];
  for (const l of ls) {
    const inSet = names.includes(l.name);
    if (on === inSet && (on || l.name !== METRIC_NAME)) out.push(l);
  }
  return out;
}

/** Per step: is any series present. */
function anyPresent(series: readonly StepSeries[], count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (const s of series) for (let i = 0; i < count; i++) out[i]! |= s.present[i]!;
  return out;
}

/** Per signature, per step: is any series with that signature present. */
function presentBySig(
  series: readonly StepSeries[],
  sig: (ls: Labels) => string,
  count: number,
): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const s of series) {
    const k = sig(s.labels);
    let p = m.get(k);
    if (p === undefined) {
      p = new Uint8Array(count);
      m.set(k, p);
    }
    for (let i = 0; i < count; i++) p[i]! |= s.present[i]!;
  }
  return m;
}

export function vectorAnd(
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  matching: VectorMatching | undefined,
  count: number,
  charge: ChargeOutput,
): StepSeries[] {
  const sig = signatureFn(matching);
  const right = presentBySig(rhs, sig, count);
  const out: StepSeries[] = [];
  for (const s of lhs) {
    const r = right.get(sig(s.labels));
    if (r === undefined) continue;
    charge(count);
    const present = new Uint8Array(count);
    let any = false;
    for (let i = 0; i < count; i++) {
      if (s.present[i] === 1 && r[i] === 1) {
        present[i] = 1;
        any = true;
      }
    }
    if (any) out.push({ labels: s.labels, values: s.values, present });
  }
  return out;
}

export function vectorOr(
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  matching: VectorMatching | undefined,
  count: number,
  charge: ChargeOutput,
): StepSeries[] {
  const sig = signatureFn(matching);
  const left = presentBySig(lhs, sig, count);
  const out: StepSeries[] = [...lhs];
  for (const s of rhs) {
    const l = left.get(sig(s.labels));
    if (l === undefined) {
      out.push(s);
      continue;
    }
    charge(count);
    const present = new Uint8Array(count);
    let any = false;
    for (let i = 0; i < count; i++) {
      if (s.present[i] === 1 && l[i] !== 1) {
        present[i] = 1;
        any = true;
      }
    }
    if (any) out.push({ labels: s.labels, values: s.values, present });
  }
  return mergeSameLabels(out);
}

export function vectorUnless(
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  matching: VectorMatching | undefined,
  count: number,
  charge: ChargeOutput,
): StepSeries[] {
  const sig = signatureFn(matching);
  const right = presentBySig(rhs, sig, count);
  const out: StepSeries[] = [];
  for (const s of lhs) {
    const r = right.get(sig(s.labels));
    if (r === undefined) {
      out.push(s);
      continue;
    }
    charge(count);
    const present = new Uint8Array(count);
    let any = false;
    for (let i = 0; i < count; i++) {
      if (s.present[i] === 1 && r[i] !== 1) {
        present[i] = 1;
        any = true;
      }
    }
    if (any) out.push({ labels: s.labels, values: s.values, present });
  }
  return out;
}

/** Prometheus resultMetric. `lhs` is the "many" side after the one-to-many swap. */
function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  let ls = lhs;
  if (dropsMetricName(op)) ls = dropMetricName(ls);
  if (matching.card === 'one-to-one') {
    ls = matching.on
      ? keepLabels(ls, matching.matchingLabels)
      : deleteLabels(ls, matching.matchingLabels);
  }
  for (const name of matching.include) {
    let v = '';
    for (const l of rhs) if (l.name === name) v = l.value;
    ls = setLabel(ls, name, v);
  }
  return ls;
}

const ONE_TO_ONE: VectorMatching = {
  card: 'one-to-one',
  matchingLabels: [],
  on: false,
  include: [],
};

/** vector op vector for arithmetic and comparison operators. */
export function vectorBinop(
  op: BinaryOp,
  lhsIn: readonly StepSeries[],
  rhsIn: readonly StepSeries[],
  matchingIn: VectorMatching | undefined,
  returnBool: boolean,
  count: number,
  charge: ChargeOutput,
): StepSeries[] {
  const matching = matchingIn ?? ONE_TO_ONE;
  if (matching.card === 'many-to-many')
    throw new ExecutionError('many-to-many only allowed for set operators');
  const active = anyPresent(lhsIn, count);
  const rhsAny = anyPresent(rhsIn, count);
  for (let i = 0; i < count; i++) active[i]! &= rhsAny[i]!;

  // The "one" side is always `rhs` below; one-to-many swaps sides and swaps values back.
  const swapped = matching.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  const sig = signatureFn(matching);
  const rightBySig = new Map<string, StepSeries[]>();
  for (const s of rhs) {
    const k = sig(s.labels);
    const g = rightBySig.get(k);
    if (g === undefined) rightBySig.set(k, [s]);
    else g.push(s);
  }
  // Two series of the "one" side with the same signature at one step: many-to-many.
  for (const group of rightBySig.values()) {
    if (group.length < 2) continue;
    for (let i = 0; i < count; i++) {
      if (active[i] !== 1) continue;
      let first: StepSeries | undefined;
      for (const s of group) {
        if (s.present[i] !== 1) continue;
        if (first === undefined) {
          first = s;
          continue;
        }
        const matched = matchLabels(s.labels, matching.on, matching.matchingLabels);
        throw new ExecutionError(
          `found duplicate series for the match group ${labelsToString(matched)} on the ${swapped ? 'left' : 'right'} hand-side of the operation: [${labelsToString(s.labels)}, ${labelsToString(first.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
    }
  }

  const cmp = isComparison(op);
  const matchedOnce = new Map<string, Uint8Array>();
  // One output series per result label set, made when it first gets a sample: the pairs of a
  // many-to-one match over churning series share a few label sets, so their number says nothing
  // of the output's size. Two samples for one label set at one step are Prometheus's duplicate
  // label set error, raised after the match errors as when the per-pair series were merged.
  const out: StepSeries[] = [];
  const byMetric = new Map<string, StepSeries>();
  const arena = new ColumnArena(columnBytes(lhs.length, count));
  let duplicate = false;
  for (const ls of lhs) {
    const k = sig(ls.labels);
    const group = rightBySig.get(k);
    if (group === undefined) continue;
    for (const rs of group) {
      let target: StepSeries | undefined;
      let seen: Uint8Array | undefined;
      for (let i = 0; i < count; i++) {
        if (active[i] !== 1 || ls.present[i] !== 1 || rs.present[i] !== 1) continue;
        const vl = swapped ? rs.values[i]! : ls.values[i]!;
        const vr = swapped ? ls.values[i]! : rs.values[i]!;
        let value: number;
        if (cmp) {
          const keep = compare(op, vl, vr);
          if (returnBool) value = keep ? 1 : 0;
          else if (keep) value = vl;
          else continue;
        } else {
          value = arith(op, vl, vr);
        }
        if (target === undefined) {
          let metric = resultMetric(ls.labels, rs.labels, op, matching);
          if (returnBool) metric = dropMetricName(metric);
          const metricKey = labelsKey(metric);
          const seenKey = matching.card === 'one-to-one' ? k : `${k}\x00${metricKey}`;
          seen = matchedOnce.get(seenKey);
          if (seen === undefined) {
            seen = arena.u8(count);
            matchedOnce.set(seenKey, seen);
          }
          target = byMetric.get(metricKey);
          if (target === undefined) {
            charge(count * OUTPUT_STEP_BYTES);
            target = {
              labels: metric,
              values: arena.f64(count),
              present: arena.u8(count),
            };
            byMetric.set(metricKey, target);
            out.push(target);
          }
        }
        if (seen![i] === 1) {
          throw new ExecutionError(
            matching.card === 'one-to-one'
              ? 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'
              : 'multiple matches for labels: grouping labels must ensure unique matches',
          );
        }
        seen![i] = 1;
        const present = target.present as Uint8Array;
        if (present[i] === 1) {
          duplicate = true;
          continue;
        }
        (target.values as Float64Array)[i] = value;
        present[i] = 1;
      }
    }
  }
  if (duplicate) throw new ExecutionError(DUPLICATE_LABELSET);
  return out;
}
