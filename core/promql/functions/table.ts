/**
 * @module core/promql/functions/table — the implementation table the engine calls, keyed by the
 * same names as the parser's signature table (Prometheus 2.42 `FunctionCalls`).
 */
import type { FunctionImpl } from './types.ts';
import * as h from './histogram.ts';
import * as l from './labels.ts';
import * as m from './math.ts';
import * as o from './over-time.ts';
import * as r from './rate.ts';
import * as g from './regression.ts';
import * as t from './time.ts';
import * as v from './vector.ts';

export const functionImpls: ReadonlyMap<string, FunctionImpl> = new Map<string, FunctionImpl>([
  ['abs', m.abs],
  ['absent', v.absent],
  ['absent_over_time', v.absentOverTime],
  ['acos', m.acos],
  ['acosh', m.acosh],
  ['asin', m.asin],
  ['asinh', m.asinh],
  ['atan', m.atan],
  ['atanh', m.atanh],
  ['avg_over_time', o.avgOverTime],
  ['ceil', m.ceil],
  ['changes', o.changes],
  ['clamp', m.clamp],
  ['clamp_max', m.clampMax],
  ['clamp_min', m.clampMin],
  ['cos', m.cos],
  ['cosh', m.cosh],
  ['count_over_time', o.countOverTime],
  ['days_in_month', t.daysInMonth],
  ['day_of_month', t.dayOfMonth],
  ['day_of_week', t.dayOfWeek],
  ['day_of_year', t.dayOfYear],
  ['deg', m.deg],
  ['delta', r.delta],
  ['deriv', g.deriv],
  ['exp', m.exp],
  ['floor', m.floor],
  ['histogram_count', h.histogramNativeOnly],
  ['histogram_fraction', h.histogramNativeOnly],
  ['histogram_quantile', h.histogramQuantile],
  ['histogram_sum', h.histogramNativeOnly],
  ['holt_winters', g.holtWinters],
  ['hour', t.hour],
  ['idelta', r.idelta],
  ['increase', r.increase],
  ['irate', r.irate],
  ['label_replace', l.labelReplace],
  ['label_join', l.labelJoin],
  ['ln', m.ln],
  ['log10', m.log10],
  ['log2', m.log2],
  ['last_over_time', o.lastOverTime],
  ['max_over_time', o.maxOverTime],
  ['min_over_time', o.minOverTime],
  ['minute', t.minute],
  ['month', t.month],
  ['pi', m.pi],
  ['predict_linear', g.predictLinear],
  ['present_over_time', o.presentOverTime],
  ['quantile_over_time', o.quantileOverTime],
  ['rad', m.rad],
  ['rate', r.rate],
  ['resets', o.resets],
  ['round', m.round],
  ['scalar', v.scalar],
  ['sgn', m.sgnFn],
  ['sin', m.sin],
  ['sinh', m.sinh],
  ['sort', v.sort],
  ['sort_desc', v.sortDesc],
  ['sqrt', m.sqrt],
  ['stddev_over_time', o.stddevOverTime],
  ['stdvar_over_time', o.stdvarOverTime],
  ['sum_over_time', o.sumOverTime],
  ['tan', m.tan],
  ['tanh', m.tanh],
  ['time', t.time],
  ['timestamp', t.timestamp],
  ['vector', v.vector],
  ['year', t.year],
]);

