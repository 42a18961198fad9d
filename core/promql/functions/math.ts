/**
 * @module core/promql/functions/math — element-wise math on instant vectors (abs … atanh, deg, rad,
 * sgn, round, clamp*) and pi(). All drop the metric name.
 *
 * Where Go's math package differs from JavaScript's Math (last bits, special cases), Go's is used:
 * core/gocompat/math and math-trig.
 */
import { dropMetricName, scalarArg, vectorArg } from './labels-util.ts';
import type { FunctionImpl } from './types.ts';
import {
  OUTPUT_STEP_BYTES,
  type FunctionContext,
  type StepSeries,
  type Value,
  type VectorValue,
} from '../value.ts';
import {
  goAcosh,
  goAsinh,
  goCosh,
  goExp,
  goLog,
  goLog10,
  goLog2,
  goMax,
  goMin,
  goSinh,
  goTanh,
} from '../../gocompat/math.ts';
import { goAcos, goAsin, goAtan, goCos, goSin, goTan } from '../../gocompat/math-trig.ts';

const LN2 = 0.6931471805599453;
const LN10 = 2.302585092994046;

export function sgn(v: number): number {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}

/** Applies `f` to every present value; the result keeps the input's presence and drops the metric name. */
export function mapVector(
  v: VectorValue,
  f: (x: number) => number,
  charge: FunctionContext['charge'],
): VectorValue {
  const series = v.series.map((s): StepSeries => {
    charge(s.values.length * OUTPUT_STEP_BYTES);
    const values = new Float64Array(s.values.length);
    const src = s.values;
    const present = s.present;
    for (let i = 0; i < values.length; i++) if (present[i]) values[i] = f(src[i]!);
    return { labels: dropMetricName(s.labels), values, present: present.slice() };
  });
  return { type: 'vector', series };
}

function simple(f: (x: number) => number): FunctionImpl {
  return (args, ctx) => mapVector(vectorArg(args, 0), f, ctx.charge);
}

export const abs = simple(Math.abs);
export const ceil = simple(Math.ceil);
export const floor = simple(Math.floor);
export const exp = simple(goExp);
export const sqrt = simple(Math.sqrt);
export const ln = simple(goLog);
export const log2 = simple(goLog2);
export const log10 = simple(goLog10);
export const sin = simple(goSin);
export const cos = simple(goCos);
export const tan = simple(goTan);
export const asin = simple(goAsin);
export const acos = simple(goAcos);
export const atan = simple(goAtan);
export const sinh = simple(goSinh);
export const cosh = simple(goCosh);
export const tanh = simple(goTanh);
export const asinh = simple(goAsinh);
export const acosh = simple(goAcosh);
export const atanh = simple(Math.atanh);
export const rad = simple((v) => (v * Math.PI) / 180);
export const deg = simple((v) => (v * 180) / Math.PI);
export const sgnFn = simple(sgn);

export const pi: FunctionImpl = (_args, ctx) => ({
  type: 'scalar',
  values: new Float64Array(ctx.range.count).fill(Math.PI),
});

/** Per-step scalar argument i, or `dflt` at every step when the optional argument is absent. */
function optionalScalar(
  args: readonly Value[],
  i: number,
  steps: number,
  dflt: number,
): Float64Array {
  return args.length > i ? scalarArg(args, i).values : new Float64Array(steps).fill(dflt);
}

/** round(v, to_nearest=1): ties round up, via the inverse as Prometheus does (fewer float surprises). */
export const round: FunctionImpl = (args, ctx) => {
  const v = vectorArg(args, 0);
  const toNearest = optionalScalar(args, 1, ctx.range.count, 1);
  const series = v.series.map((s): StepSeries => {
    ctx.charge(s.values.length * OUTPUT_STEP_BYTES);
    const values = new Float64Array(s.values.length);
    for (let i = 0; i < values.length; i++) {
      if (!s.present[i]) continue;
      const inv = 1.0 / toNearest[i]!;
      values[i] = Math.floor(s.values[i]! * inv + 0.5) / inv;
    }
    return { labels: dropMetricName(s.labels), values, present: s.present.slice() };
  });
  return { type: 'vector', series };
};

/** Shared body of clamp/clamp_min/clamp_max; a step where max < min yields nothing (Prometheus). */
function clampWith(
  v: VectorValue,
  mins: Float64Array | undefined,
  maxs: Float64Array | undefined,
  charge: FunctionContext['charge'],
): VectorValue {
  const series: StepSeries[] = [];
  for (const s of v.series) {
    charge(s.values.length * OUTPUT_STEP_BYTES);
    const values = new Float64Array(s.values.length);
    const present = new Uint8Array(s.values.length);
    let any = false;
    for (let i = 0; i < values.length; i++) {
      if (!s.present[i]) continue;
      const x = s.values[i]!;
      if (mins && maxs) {
        if (maxs[i]! < mins[i]!) continue;
        values[i] = goMax(mins[i]!, goMin(maxs[i]!, x));
      } else if (maxs) values[i] = goMin(maxs[i]!, x);
      else values[i] = goMax(mins![i]!, x);
      present[i] = 1;
      any = true;
    }
    if (any) series.push({ labels: dropMetricName(s.labels), values, present });
  }
  return { type: 'vector', series };
}

export const clamp: FunctionImpl = (args, ctx) =>
  clampWith(vectorArg(args, 0), scalarArg(args, 1).values, scalarArg(args, 2).values, ctx.charge);
export const clampMin: FunctionImpl = (args, ctx) =>
  clampWith(vectorArg(args, 0), scalarArg(args, 1).values, undefined, ctx.charge);
export const clampMax: FunctionImpl = (args, ctx) =>
  clampWith(vectorArg(args, 0), undefined, scalarArg(args, 1).values, ctx.charge);

export { LN2, LN10 };
