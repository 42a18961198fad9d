/**
 * @module core/promql/parser/functions — the PromQL function SIGNATURE table (Prometheus 2.42
 * promql/parser/functions.go): name, argument types, variadic count, return type. The parser's
 * type checker reads it; the engine's implementation table (core/promql/functions) is keyed by the
 * same names. The native-histogram functions are listed so they parse, as in 2.42.
 */
import type { FunctionSignature, ValueType } from '../ast.ts';

const V: ValueType = 'vector';
const S: ValueType = 'scalar';
const M: ValueType = 'matrix';
const Str: ValueType = 'string';

/** `variadic`: 0 = exactly `argTypes`; -1 = last type repeats; n > 0 = up to n optional trailing args. */
function fn(
  name: string,
  argTypes: ValueType[],
  returnType: ValueType,
  variadic = 0,
): FunctionSignature {
  return Object.freeze({ name, argTypes: Object.freeze(argTypes), variadic, returnType });
}

const SIGNATURES: readonly FunctionSignature[] = [
  fn('abs', [V], V),
  fn('absent', [V], V),
  fn('absent_over_time', [M], V),
  fn('acos', [V], V),
  fn('acosh', [V], V),
  fn('asin', [V], V),
  fn('asinh', [V], V),
  fn('atan', [V], V),
  fn('atanh', [V], V),
  fn('avg_over_time', [M], V),
  fn('ceil', [V], V),
  fn('changes', [M], V),
  fn('clamp', [V, S, S], V),
  fn('clamp_max', [V, S], V),
  fn('clamp_min', [V, S], V),
  fn('cos', [V], V),
  fn('cosh', [V], V),
  fn('count_over_time', [M], V),
  fn('days_in_month', [V], V, 1),
  fn('day_of_month', [V], V, 1),
  fn('day_of_week', [V], V, 1),
  fn('day_of_year', [V], V, 1),
  fn('deg', [V], V),
  fn('delta', [M], V),
  fn('deriv', [M], V),
  fn('exp', [V], V),
  fn('floor', [V], V),
  fn('histogram_count', [V], V),
  fn('histogram_sum', [V], V),
  fn('histogram_fraction', [S, S, V], V),
  fn('histogram_quantile', [S, V], V),
  fn('holt_winters', [M, S, S], V),
  fn('hour', [V], V, 1),
  fn('idelta', [M], V),
  fn('increase', [M], V),
  fn('irate', [M], V),
  fn('label_replace', [V, Str, Str, Str, Str], V),
  fn('label_join', [V, Str, Str, Str], V, -1),
  fn('last_over_time', [M], V),
  fn('ln', [V], V),
  fn('log10', [V], V),
  fn('log2', [V], V),
  fn('max_over_time', [M], V),
  fn('min_over_time', [M], V),
  fn('minute', [V], V, 1),
  fn('month', [V], V, 1),
  fn('pi', [], S),
  fn('predict_linear', [M, S], V),
  fn('present_over_time', [M], V),
  fn('quantile_over_time', [S, M], V),
  fn('rad', [V], V),
  fn('rate', [M], V),
  fn('resets', [M], V),
  fn('round', [V, S], V, 1),
  fn('scalar', [V], S),
  fn('sgn', [V], V),
  fn('sin', [V], V),
  fn('sinh', [V], V),
  fn('sort', [V], V),
  fn('sort_desc', [V], V),
  fn('sqrt', [V], V),
  fn('stddev_over_time', [M], V),
  fn('stdvar_over_time', [M], V),
  fn('sum_over_time', [M], V),
  fn('tan', [V], V),
  fn('tanh', [V], V),
  fn('time', [], S),
  fn('timestamp', [V], V),
  fn('vector', [S], V),
  fn('year', [V], V, 1),
];

const BY_NAME: ReadonlyMap<string, FunctionSignature> = new Map(SIGNATURES.map((f) => [f.name, f]));

/** The signature of a function by its exact (case-sensitive) name, or undefined when unknown. */
export function getFunction(name: string): FunctionSignature | undefined {
  return BY_NAME.get(name);
}

/** Every function Prometheus 2.42's parser knows, sorted by name. */
export function allFunctions(): readonly FunctionSignature[] {
  return [...SIGNATURES].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
