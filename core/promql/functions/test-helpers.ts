/**
 * @module core/promql/functions/test-helpers — builders for the functions' unit tests: evaluation
 * ranges, matrices from sample lists, vectors from per-step values, and a fake-free call node.
 */
import { labelsFrom } from '../../labels/labels.ts';
import type { Labels } from '../../labels/labels.ts';
import type { Call, Expr } from '../ast.ts';
import { getFunction } from '../parser/functions.ts';
import type {
  EvalRange,
  FunctionContext,
  MatrixValue,
  ScalarValue,
  StringValue,
  Value,
  VectorValue,
} from '../value.ts';
import { functionImpls } from './table.ts';

export function evalRange(start: number, end: number, interval: number): EvalRange {
  const count = Math.floor((end - start) / interval) + 1;
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) times[i] = start + i * interval;
  return { start, end, interval, count, times };
}

export function ctxFor(range: EvalRange): FunctionContext {
  return { range, lookbackDelta: 300_000, track: () => {}, charge: () => {} };
}

export interface SeriesSpec {
  labels: Record<string, string>;
  /** [t ms, v] pairs. */
  samples: Array<[number, number]>;
}

/** A matrix whose step i looks at [times[i] - offset - range, times[i] - offset]. */
export function matrix(
  range: EvalRange,
  rangeMs: number,
  series: SeriesSpec[],
  offset = 0,
): MatrixValue {
  const windowEnd = range.times.map((t) => t - offset);
  return {
    type: 'matrix',
    range: rangeMs,
    windowEnd,
    series: series.map((s) => ({
      labels: labelsFrom(s.labels),
      t: Float64Array.from(s.samples.map((p) => p[0])),
      v: Float64Array.from(s.samples.map((p) => p[1])),
      length: s.samples.length,
    })),
  };
}

/** Samples start, start+step, … with the given values (Prometheus test `load` style). */
export function load(stepMs: number, values: number[], start = 0): Array<[number, number]> {
  return values.map((v, i) => [start + i * stepMs, v]);
}

/** A vector; `undefined` entries are absent steps. */
export function vector(
  series: Array<{ labels: Record<string, string>; values: Array<number | undefined> }>,
): VectorValue {
  return {
    type: 'vector',
    series: series.map((s) => ({
      labels: labelsFrom(s.labels),
      values: Float64Array.from(s.values.map((v) => v ?? 0)),
      present: Uint8Array.from(s.values.map((v) => (v === undefined ? 0 : 1))),
    })),
  };
}

export function scalar(steps: number, v: number): ScalarValue {
  return { type: 'scalar', values: new Float64Array(steps).fill(v) };
}

export function str(value: string): StringValue {
  return { type: 'string', value };
}

/** Calls the table implementation of `name` with a Call node whose args are `argExprs` (default: number literals). */
export function call(name: string, args: Value[], range: EvalRange, argExprs?: Expr[]): Value {
  const impl = functionImpls.get(name);
  const func = getFunction(name);
  if (!impl || !func) throw new Error(`no function ${name}`);
  const pos = { start: 0, end: 0 };
  const exprs: Expr[] = argExprs ?? args.map(() => ({ kind: 'NumberLiteral', value: 0, pos }));
  const node: Call = { kind: 'Call', func, args: exprs, pos };
  return impl(args, ctxFor(range), node);
}

/** The output as {labels → values per step (undefined when absent)} for assertions. */
export function rows(v: Value): Array<{ labels: Labels; values: Array<number | undefined> }> {
  if (v.type !== 'vector') throw new Error(`expected vector, got ${v.type}`);
  return v.series.map((s) => ({
    labels: s.labels,
    values: Array.from(s.values, (x, i) => (s.present[i] ? x : undefined)),
  }));
}

/** Step-0 values keyed by the label set's text form. */
export function at0(v: Value): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows(v)) {
    const x = r.values[0];
    if (x !== undefined) out[`{${r.labels.map((l) => `${l.name}="${l.value}"`).join(',')}}`] = x;
  }
  return out;
}

/**
 * The matrix with every series' columns longer than the series, junk past `length`: the engine's
 * columns may be, and kernels must read only `length` samples.
 */
export function withSpareColumns(m: MatrixValue): MatrixValue {
  return {
    ...m,
    series: m.series.map((s) => {
      const t = new Float64Array(s.length + 3).fill(1e15);
      const v = new Float64Array(s.length + 3).fill(-7);
      t.set(s.t.subarray(0, s.length));
      v.set(s.v.subarray(0, s.length));
      return { ...s, t, v };
    }),
  };
}

/** JSON of an answer with NaN, -0 and ±Inf spelled out, for bit-exact comparisons. */
export function exactJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    typeof v !== 'number'
      ? v
      : Number.isNaN(v)
        ? 'NaN'
        : Object.is(v, -0)
          ? '-0'
          : v === Infinity || v === -Infinity
            ? String(v)
            : v,
  );
}
