/**
 * @module core/promql/functions/time — time, timestamp and the date functions (minute, hour,
 * day_of_week, day_of_month, day_of_year, days_in_month, month, year).
 *
 * Date functions read each sample value as Unix seconds truncated to int64 (Go's `time.Unix(int64(v), 0)`);
 * called without argument they use the step time, `vector(time())` with the seconds truncated
 * toward zero like Go's integer division `enh.Ts / 1000`.
 */
import { goInt64 } from '../../gocompat/math.ts';
import { civilFromUnix, daysIn, type CivilTime } from '../../gocompat/time.ts';
import { dropMetricName, unwrapStepInvariant, vectorArg } from './labels-util.ts';
import type { FunctionImpl } from './types.ts';
import { OUTPUT_STEP_BYTES, type StepSeries } from '../value.ts';

export const time: FunctionImpl = (_args, ctx) => {
  const times = ctx.range.times;
  const values = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) values[i] = times[i]! / 1000;
  return { type: 'scalar', values };
};

/** timestamp(v): the sample's own time for a plain selector (StepSeries.timestamps), else the step time. */
export const timestamp: FunctionImpl = (args, ctx, call) => {
  const times = ctx.range.times;
  // Only a selector argument carries sample times; any other expression's samples sit at the step.
  const arg = call.args[0] && unwrapStepInvariant(call.args[0]);
  const ownTimes = arg?.kind === 'VectorSelector';
  const series = vectorArg(args, 0).series.map((s): StepSeries => {
    const ts = (ownTimes && s.timestamps) || times;
    ctx.charge(s.values.length * OUTPUT_STEP_BYTES);
    const values = new Float64Array(s.values.length);
    for (let i = 0; i < values.length; i++) if (s.present[i]) values[i] = ts[i]! / 1000;
    return { labels: dropMetricName(s.labels), values, present: s.present.slice() };
  });
  return { type: 'vector', series };
};

type Field = (c: CivilTime) => number;

function dateFunction(field: Field): FunctionImpl {
  const c: CivilTime = { year: 0, month: 0, day: 0, yearDay: 0, weekday: 0, hour: 0, minute: 0 };
  return (args, ctx) => {
    if (args.length === 0) {
      const times = ctx.range.times;
      const values = new Float64Array(times.length);
      for (let i = 0; i < times.length; i++)
        values[i] = field(civilFromUnix(Math.trunc(times[i]! / 1000), c));
      return {
        type: 'vector',
        series: [{ labels: [], values, present: new Uint8Array(times.length).fill(1) }],
      };
    }
    const series = vectorArg(args, 0).series.map((s): StepSeries => {
      ctx.charge(s.values.length * OUTPUT_STEP_BYTES);
      const values = new Float64Array(s.values.length);
      for (let i = 0; i < values.length; i++) {
        if (s.present[i]) values[i] = field(civilFromUnix(goInt64(s.values[i]!), c));
      }
      return { labels: dropMetricName(s.labels), values, present: s.present.slice() };
    });
    return { type: 'vector', series };
  };
}

export const minute = dateFunction((c) => c.minute);
export const hour = dateFunction((c) => c.hour);
export const dayOfWeek = dateFunction((c) => c.weekday);
export const dayOfMonth = dateFunction((c) => c.day);
export const dayOfYear = dateFunction((c) => c.yearDay);
export const month = dateFunction((c) => c.month);
export const year = dateFunction((c) => c.year);
/** Go: 32 - time.Date(y, m, 32).Day(), i.e. the length of the month. */
export const daysInMonth = dateFunction((c) => daysIn(c.month, c.year));
