/**
 * @module core/rule/rule-file — Prometheus 2.42 rule files (model/rulefmt): `groups: [{name,
 * interval, limit, rules: [{record|alert, expr, for, keep_firing_for, labels, annotations}]}]`,
 * read strictly (unknown fields are errors) and validated as `promtool check rules` validates
 * them, with its error texts: `L:C: group "g", rule 1, "name": invalid field 'for' in recording
 * rule`. Positions are those of the offending YAML value; 0:0 when the field is absent.
 */
import type { Node } from 'yaml';
import { BadDataError, errorMessage } from '../errors.ts';
import { DurationError, parsePromDuration } from '../gocompat/duration.ts';
import { goQuote } from '../gocompat/quote.ts';
import { goParseInt } from '../gocompat/strconv.ts';
import { parseExpr } from '../promql/parser/parse.ts';
import { parseAlertTemplate } from './template/expander.ts';
import { NO_POS, readYaml, YamlSyntaxError, type Pos, type StrictReader } from './strict-yaml.ts';

export interface RuleDef {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  /** ms; 0 when absent. */
  readonly for: number;
  /** ms; 0 when absent. */
  readonly keepFiringFor: number;
  readonly labels: ReadonlyMap<string, string>;
  readonly annotations: ReadonlyMap<string, string>;
}

export interface RuleGroupDef {
  readonly name: string;
  /** ms; 0 means the global evaluation interval. */
  readonly interval: number;
  /** Max alerts or series a rule may produce; 0 is no limit. */
  readonly limit: number;
  /**
   * Thanos Rule's group field (only read with `{ thanos: true }`): whether a failing store makes
   * the rule fail (`abort`, Thanos's default) or only warns (`warn`).
   */
  readonly partialResponseStrategy?: 'warn' | 'abort';
  readonly rules: readonly RuleDef[];
}

/** A rule file that does not load: every problem, each as promtool prints it (without the file prefix). */
export class RuleFileError extends BadDataError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const isValidMetricName = (s: string): boolean => METRIC_NAME_RE.test(s);
export const isValidLabelName = (s: string): boolean => LABEL_NAME_RE.test(s);

interface RuleNode {
  readonly def: RuleDef;
  readonly recordPos: Pos;
  readonly alertPos: Pos;
  readonly exprPos: Pos;
}

function duration(r: StrictReader, n: Node | null | undefined): number {
  const s = r.string(n, 'model.Duration');
  if (s === '') return 0;
  try {
    return parsePromDuration(s);
  } catch (err) {
    if (err instanceof DurationError) r.fatal(n, err.message);
    else throw err;
    return 0;
  }
}

function readRule(r: StrictReader, n: Node | null): RuleNode {
  const f = r.fields(n, 'rulefmt.RuleNode', [
    'record',
    'alert',
    'expr',
    'for',
    'keep_firing_for',
    'labels',
    'annotations',
  ]);
  const record = r.string(f.get('record'));
  const alert = r.string(f.get('alert'));
  const def: RuleDef = {
    ...(record !== '' ? { record } : {}),
    ...(alert !== '' ? { alert } : {}),
    expr: r.string(f.get('expr')),
    for: duration(r, f.get('for')),
    keepFiringFor: duration(r, f.get('keep_firing_for')),
    labels: r.stringMap(f.get('labels')),
    annotations: r.stringMap(f.get('annotations')),
  };
  return {
    def,
    recordPos: f.has('record') ? r.pos(f.get('record')) : NO_POS,
    alertPos: f.has('alert') ? r.pos(f.get('alert')) : NO_POS,
    exprPos: f.has('expr') ? r.pos(f.get('expr')) : NO_POS,
  };
}

const at = (p: Pos): string => `${p.line}:${p.col}: `;

/** RuleNode.Validate: each problem with the position Prometheus attaches (or none). */
function validateRule(n: RuleNode): { pos: string; msg: string }[] {
  const out: { pos: string; msg: string }[] = [];
  const { def } = n;
  const record = def.record ?? '';
  const alert = def.alert ?? '';
  if (record !== '' && alert !== '')
    out.push({
      pos: at(n.recordPos) + at(n.alertPos),
      msg: "only one of 'record' and 'alert' must be set",
    });
  if (record === '' && alert === '')
    out.push({ pos: at(n.recordPos), msg: "one of 'record' or 'alert' must be set" });
  if (def.expr === '') out.push({ pos: at(n.exprPos), msg: "field 'expr' must be set in rule" });
  else {
    try {
      parseExpr(def.expr);
    } catch (err) {
      out.push({ pos: at(n.exprPos), msg: `could not parse expression: ${errorMessage(err)}` });
    }
  }
  if (record !== '') {
    if (def.annotations.size > 0)
      out.push({ pos: at(n.recordPos), msg: "invalid field 'annotations' in recording rule" });
    if (def.for !== 0)
      out.push({ pos: at(n.recordPos), msg: "invalid field 'for' in recording rule" });
    if (def.keepFiringFor !== 0)
      out.push({ pos: at(n.recordPos), msg: "invalid field 'keep_firing_for' in recording rule" });
    if (!isValidMetricName(record))
      out.push({ pos: at(n.recordPos), msg: `invalid recording rule name: ${record}` });
  }
  // Go ranges over maps in random order; sorted here so the output is stable.
  const labels = [...def.labels.keys()].sort();
  for (const k of labels)
    if (!isValidLabelName(k) || k === '__name__')
      out.push({ pos: '', msg: `invalid label name: ${k}` });
  const annotations = [...def.annotations.keys()].sort();
  for (const k of annotations)
    if (!isValidLabelName(k)) out.push({ pos: '', msg: `invalid annotation name: ${k}` });
  if (alert !== '') {
    for (const k of labels) {
      const e = parseAlertTemplate(alert, def.labels.get(k)!);
      if (e) out.push({ pos: '', msg: `label ${goQuote(k)}: ${e.message}` });
    }
    for (const k of annotations) {
      const e = parseAlertTemplate(alert, def.annotations.get(k)!);
      if (e) out.push({ pos: '', msg: `annotation ${goQuote(k)}: ${e.message}` });
    }
  }
  return out;
}

export interface ParseRuleFileOptions {
  /** Thanos Rule's dialect: groups may also have `partial_response_strategy`. */
  readonly thanos?: boolean;
}

/** rulefmt.Parse: the groups, or RuleFileError with every problem. */
export function parseRuleFile(text: string, opts: ParseRuleFileOptions = {}): RuleGroupDef[] {
  let read;
  try {
    read = readYaml(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new RuleFileError([err.message, err.message]);
    throw err;
  }
  const { root, reader: r } = read;
  const top = r.fields(root, 'rulefmt.RuleGroups', ['groups']);
  const groupNodes = r.seq(top.get('groups'), '[]rulefmt.RuleGroup');
  const groups: { def: RuleGroupDef; pos: Pos; nodes: RuleNode[] }[] = [];
  for (const gn of groupNodes) {
    const f = r.fields(
      gn,
      'rulefmt.RuleGroup',
      opts.thanos
        ? ['name', 'interval', 'limit', 'rules', 'partial_response_strategy']
        : ['name', 'interval', 'limit', 'rules'],
    );
    let partialResponseStrategy: 'warn' | 'abort' | undefined;
    if (opts.thanos) {
      const text = r.string(f.get('partial_response_strategy')).toLowerCase();
      if (text === 'warn' || text === 'abort') partialResponseStrategy = text;
      else if (text !== '') {
        r.fail(
          f.get('partial_response_strategy'),
          `unknown partial_response_strategy ${JSON.stringify(text)}: want warn or abort`,
        );
      }
    }
    const limitText = r.string(f.get('limit'), 'int');
    let limit = 0;
    if (limitText !== '') {
      try {
        limit = goParseInt(limitText, 0);
      } catch {
        r.fail(f.get('limit'), `cannot unmarshal !!str \`${limitText}\` into int`);
      }
    }
    const nodes = r.seq(f.get('rules'), '[]rulefmt.RuleNode').map((n) => readRule(r, n));
    groups.push({
      def: {
        name: r.string(f.get('name')),
        interval: duration(r, f.get('interval')),
        limit,
        rules: nodes.map((n) => n.def),
        ...(partialResponseStrategy ? { partialResponseStrategy } : {}),
      },
      pos: r.pos(gn),
      nodes,
    });
  }
  const decodeError = r.decodeError();
  if (decodeError !== undefined) throw new RuleFileError([decodeError]);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    if (g.def.name === '') problems.push(`${at(g.pos)}Groupname must not be empty`);
    if (seen.has(g.def.name))
      problems.push(`${at(g.pos)}groupname: "${g.def.name}" is repeated in the same file`);
    seen.add(g.def.name);
    g.nodes.forEach((n, i) => {
      const name = n.def.alert ?? n.def.record ?? '';
      for (const p of validateRule(n))
        problems.push(
          `${p.pos}group ${goQuote(g.def.name)}, rule ${i + 1}, ${goQuote(name)}: ${p.msg}`,
        );
    });
  }
  if (problems.length > 0) throw new RuleFileError(problems);
  return groups.map((g) => g.def);
}
