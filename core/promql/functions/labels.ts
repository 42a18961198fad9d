/**
 * @module core/promql/functions/labels — label_replace and label_join. Both keep the metric name and
 * the values; only label sets change, and they do not depend on the step.
 */
import { ExecutionError } from '../../errors.ts';
import { getLabel } from '../../labels/labels.ts';
import type { FunctionImpl } from './types.ts';
import type { StepSeries } from '../value.ts';
import { compileSubmatch, expandTemplate, type SubmatchRegexp } from '../../regexp/submatch.ts';
import { isValidLabelName, setLabel, stringArg, vectorArg } from './labels-util.ts';

/**
 * label_replace(v, dst, replacement, src, regex): when the whole `src` value matches regex
 * (`^(?:regex)$`), `dst` becomes the expanded replacement (deleted when that is empty).
 * The regex is checked before the destination name, as Prometheus does, and both are checked even
 * for an empty input vector.
 */
export const labelReplace: FunctionImpl = (args) => {
  const v = vectorArg(args, 0);
  const dst = stringArg(args, 1);
  const repl = stringArg(args, 2);
  const src = stringArg(args, 3);
  const regexStr = stringArg(args, 4);
  let rx: SubmatchRegexp;
  try {
    rx = compileSubmatch('^(?:' + regexStr + ')$');
  } catch (err) {
    throw new ExecutionError(`invalid regular expression in label_replace(): ${regexStr}`, {
      cause: err,
    });
  }
  if (!isValidLabelName(dst)) {
    throw new ExecutionError(`invalid destination label name in label_replace(): ${dst}`);
  }
  const series = v.series.map((s): StepSeries => {
    const srcVal = getLabel(s.labels, src);
    const m = rx.exec(srcVal);
    if (m === null) return { labels: s.labels, values: s.values, present: s.present };
    const res = expandTemplate(repl, m, rx.names);
    return { labels: setLabel(s.labels, dst, res), values: s.values, present: s.present };
  });
  return { type: 'vector', series };
};

/** label_join(v, dst, separator, src...): dst = the src values joined (deleted when the join is empty). */
export const labelJoin: FunctionImpl = (args) => {
  const v = vectorArg(args, 0);
  const dst = stringArg(args, 1);
  const sep = stringArg(args, 2);
  const srcs: string[] = [];
  for (let i = 3; i < args.length; i++) {
    const name = stringArg(args, i);
    if (!isValidLabelName(name))
      throw new ExecutionError(`invalid source label name in label_join(): ${name}`);
    srcs.push(name);
  }
  if (!isValidLabelName(dst))
    throw new ExecutionError(`invalid destination label name in label_join(): ${dst}`);
  const series = v.series.map((s): StepSeries => {
    const joined = srcs.map((n) => getLabel(s.labels, n)).join(sep);
    return { labels: setLabel(s.labels, dst, joined), values: s.values, present: s.present };
  });
  return { type: 'vector', series };
};
