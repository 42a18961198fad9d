/**
 * @module core/promql/functions/vector — vector, scalar, sort, sort_desc, absent, absent_over_time.
 */
import type { Labels, Label } from '../../labels/labels.ts';
import { METRIC_NAME, compareStrings } from '../../labels/labels.ts';
import type { Expr } from '../ast.ts';
import type { FunctionImpl } from './types.ts';
import type { StepSeries, VectorValue } from '../value.ts';
import { goSort } from '../../gocompat/sort.ts';
import { matrixArg, scalarArg, unwrapParens, vectorArg } from './labels-util.ts';
import { windowBounds } from './window.ts';

export const vector: FunctionImpl = (args) => {
  const values = scalarArg(args, 0).values.slice();
  return {
    type: 'vector',
    series: [{ labels: [], values, present: new Uint8Array(values.length).fill(1) }],
  };
};

/** scalar(v): the only element's value, NaN when there are none or several. */
export const scalar: FunctionImpl = (args, ctx) => {
  const v = vectorArg(args, 0);
  const steps = ctx.range.count;
  const values = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    let n = 0;
    let x = NaN;
    for (const s of v.series) {
      if (s.present[i]) {
        n++;
        x = s.values[i]!;
      }
    }
    values[i] = n === 1 ? x : NaN;
  }
  return { type: 'scalar', values };
};

/**
 * sort/sort_desc only order an instant query's result (one step); a range query's series are
 * ordered by labels anyway. Go sorts with sort.Reverse over a NaN-first "heap" Less, which puts NaN
 * last and leaves ties in pdqsort's order: reproduced with the same algorithm. Keeps the metric name.
 */
function sortBy(desc: boolean): FunctionImpl {
  return (args, ctx) => {
    const v = vectorArg(args, 0);
    if (ctx.range.count !== 1) return v;
    const elems = v.series.filter((s) => s.present[0] === 1);
    const val = (i: number): number => elems[i]!.values[0]!;
    // Reverse(h).Less(i, j) = h.Less(j, i), with h.Less(a, b) = isNaN(a) || a > b (sort) / a < b (sort_desc).
    const less = desc
      ? (i: number, j: number) => Number.isNaN(val(j)) || val(j) < val(i)
      : (i: number, j: number) => Number.isNaN(val(j)) || val(j) > val(i);
    goSort(elems.length, less, (i, j) => {
      const t = elems[i]!;
      elems[i] = elems[j]!;
      elems[j] = t;
    });
    return { type: 'vector', series: elems };
  };
}

export const sort: FunctionImpl = sortBy(false);
export const sortDesc: FunctionImpl = sortBy(true);

/**
 * Prometheus createLabelsForAbsentFunction: the `=` matchers of a selector argument (metric name
 * excluded); a name matched more than once, or by another matcher type, is left out.
 */
export function absentLabels(arg: Expr | undefined): Labels {
  if (!arg) return [];
  const e = unwrapParens(arg);
  let matchers;
  if (e.kind === 'VectorSelector') matchers = e.matchers;
  else if (e.kind === 'MatrixSelector') matchers = e.vectorSelector.matchers;
  else return [];
  const set = new Map<string, string>();
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      set.set(m.name, m.value);
      has.add(m.name);
    } else set.delete(m.name);
  }
  const out: Label[] = [];
  for (const [name, value] of set) if (value !== '') out.push({ name, value });
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}

/** One series with 1 at every step where `covered` is 0; no series when every step is covered. */
function absentResult(covered: Uint8Array, labels: Labels): VectorValue {
  const steps = covered.length;
  const present = new Uint8Array(steps);
  let any = false;
  for (let i = 0; i < steps; i++) {
    if (!covered[i]) {
      present[i] = 1;
      any = true;
    }
  }
  if (!any) return { type: 'vector', series: [] };
  const values = new Float64Array(steps).fill(1);
  const s: StepSeries = { labels, values, present };
  return { type: 'vector', series: [s] };
}

export const absent: FunctionImpl = (args, ctx, call) => {
  const v = vectorArg(args, 0);
  const covered = new Uint8Array(ctx.range.count);
  for (const s of v.series) for (let i = 0; i < covered.length; i++) covered[i] |= s.present[i]!;
  return absentResult(covered, absentLabels(call.args[0]));
};

/** absent_over_time: 1 at steps where no series has a sample in its window. */
export const absentOverTime: FunctionImpl = (args, _ctx, call) => {
  const m = matrixArg(args, 0);
  const steps = m.windowEnd.length;
  const covered = new Uint8Array(steps);
  const from = new Int32Array(steps);
  const to = new Int32Array(steps);
  for (const s of m.series) {
    windowBounds(s, m.windowEnd, m.range, from, to);
    for (let i = 0; i < steps; i++) if (to[i]! > from[i]!) covered[i] = 1;
  }
  return absentResult(covered, absentLabels(call.args[0]));
};
