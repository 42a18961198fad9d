/**
 * @module core/promql/functions/math — element-wise math on instant vectors (abs … atanh, deg, rad,
 * sgn, round, clamp*) and pi(). All drop the metric name.
 *
 * Where Go's math package differs from JavaScript's Math in special cases, the Go rule is kept:
 * math.Max/Min let ±Inf win over NaN; Log2/Log10 are Go's formulas on top of the natural log.
 */
import { dropMetricName, scalarArg, vectorArg } from './labels-util.ts';
import type { FunctionImpl } from './types.ts';
import type { StepSeries, Value, VectorValue } from '../value.ts';
import {
  goAcos,
  goAcosh,
  goAsin,
  goAsinh,
  goAtan,
  goCos,
  goCosh,
  goExp,
  goLog,
  goSin,
  goSinh,
  goTan,
  goTanh,
} from './gomath.ts';

const LN2 = 0.6931471805599453;
const LN10 = 2.302585092994046;
/** Go evaluates 1/Ln2 and 1/Ln10 as exact constants, then rounds once. */
const INV_LN2 = 1.4426950408889634;
const INV_LN10 = 0.4342944819032518;

/** Go's math.Max: +Inf beats NaN, NaN beats everything else, +0 beats -0. */
export function goMax(x: number, y: number): number {
  if (x === Infinity || y === Infinity) return Infinity;
  return Math.max(x, y);
}

/** Go's math.Min: -Inf beats NaN, NaN beats everything else, -0 beats +0. */
export function goMin(x: number, y: number): number {
  if (x === -Infinity || y === -Infinity) return -Infinity;
  return Math.min(x, y);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word

/** Go's math.Frexp: x = frac × 2^exp with |frac| in [0.5, 1). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 2 ** 52;
    e = -52;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  e += ((hi >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  return [f64[0]!, e];
}

export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  // Exact powers of two give exact answers.
  if (frac === 0.5) return exp - 1;
  return goLog(frac) * INV_LN2 + exp;
}

export function goLog10(x: number): number {
  return goLog(x) * INV_LN10;
}

export function sgn(v: number): number {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}

/** Applies `f` to every present value; the result keeps the input's presence and drops the metric name. */
export function mapVector(v: VectorValue, f: (x: number) => number): VectorValue {
  const series = v.series.map((s): StepSeries => {
    const values = new Float64Array(s.values.length);
    const src = s.values;
    const present = s.present;
    for (let i = 0; i < values.length; i++) if (present[i]) values[i] = f(src[i]!);
    return { labels: dropMetricName(s.labels), values, present: present.slice() };
  });
  return { type: 'vector', series };
}

function simple(f: (x: number) => number): FunctionImpl {
  return (args) => mapVector(vectorArg(args, 0), f);
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
): VectorValue {
  const series: StepSeries[] = [];
  for (const s of v.series) {
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

export const clamp: FunctionImpl = (args) =>
  clampWith(vectorArg(args, 0), scalarArg(args, 1).values, scalarArg(args, 2).values);
export const clampMin: FunctionImpl = (args) =>
  clampWith(vectorArg(args, 0), scalarArg(args, 1).values, undefined);
export const clampMax: FunctionImpl = (args) =>
  clampWith(vectorArg(args, 0), undefined, scalarArg(args, 1).values);

export { LN2, LN10 };
