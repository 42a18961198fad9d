/**
 * @module core/rule/template/expander — Prometheus's template.Expander for alert labels and
 * annotations: the text runs after the preamble that defines `$labels`, `$externalLabels`,
 * `$externalURL` and `$value` from the alert's data (rules/alerting.go), with Go's builtins plus
 * Prometheus's functions; a failed expansion becomes `<error expanding template: …>`.
 */
import type { Labels } from '../../labels/labels.ts';
import { builtinFuncs } from './builtins.ts';
import { execTemplate, type TemplateFunc } from './exec.ts';
import { parseTemplate } from './parse.ts';
import { prometheusFuncs, type TemplateQueryFunc } from './prom-funcs.ts';
import { GoMap, GoStruct, TemplateExecError, type TValue } from './value.ts';

/** What rules/alerting.go prepends to every label and annotation template. */
export const ALERT_PREAMBLE =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

export interface AlertTemplateData {
  readonly labels: Labels;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  readonly value: number;
}

export interface ExpandOptions {
  /** Evaluation time in ms (what query() in the template evaluates at). */
  readonly time: number;
  readonly query?: TemplateQueryFunc;
  readonly externalURL?: string;
}

const labelMap = (ls: Labels): GoMap => GoMap.ofStrings(new Map(ls.map((l) => [l.name, l.value])));

/** template.AlertTemplateData as a Go value. */
export function alertData(d: AlertTemplateData): TValue {
  return new GoStruct(
    new Map<string, TValue>([
      ['Labels', labelMap(d.labels)],
      ['ExternalLabels', labelMap(d.externalLabels)],
      ['ExternalURL', d.externalURL],
      ['Value', d.value],
    ]),
    'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }',
  );
}

function funcsFor(opts: ExpandOptions): Map<string, TemplateFunc> {
  const m = new Map(builtinFuncs);
  for (const [k, v] of prometheusFuncs(opts)) m.set(k, v);
  return m;
}

/** Every function name a template may call (for parse-time checks). */
export const TEMPLATE_FUNC_NAMES: ReadonlySet<string> = new Set(funcsFor({ time: 0 }).keys());

/** Expander.Expand: throws `error parsing template NAME: …` or `error executing template NAME: …`. */
export async function expandTemplate(
  name: string,
  text: string,
  data: TValue,
  opts: ExpandOptions,
): Promise<string> {
  const funcs = funcsFor(opts);
  let tree;
  try {
    tree = parseTemplate(name, text, new Set(funcs.keys()));
  } catch (err) {
    throw new TemplateExecError(`error parsing template ${name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return await execTemplate(tree, data, funcs);
  } catch (err) {
    throw new TemplateExecError(`error executing template ${name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Expander.ParseTest for an alert template (with its preamble): the parse error, or undefined. */
export function parseAlertTemplate(alertName: string, text: string): Error | undefined {
  try {
    parseTemplate(`__alert_${alertName}`, ALERT_PREAMBLE + text, TEMPLATE_FUNC_NAMES);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** Expands one alert label or annotation value as rules/alerting.go does; errors become text. */
export async function expandAlertTemplate(
  alertName: string,
  text: string,
  data: AlertTemplateData,
  opts: ExpandOptions,
): Promise<string> {
  try {
    return await expandTemplate(
      `__alert_${alertName}`,
      ALERT_PREAMBLE + text,
      alertData(data),
      opts,
    );
  } catch (err) {
    return `<error expanding template: ${(err as Error).message}>`;
  }
}
