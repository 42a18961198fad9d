/**
 * @module core/rule/unittest/runner — runs promtool 2.42's rule unit tests: per test group, a
 * fresh memory storage and engine, the rule files' groups (ordered by group_eval_order),
 * evaluations at 0, evaluation_interval, … up to the largest eval_time, alert checks after the
 * evaluation at or just before each alert eval_time, then the promql_expr_test queries. Returns
 * the failures as promtool prints them; an empty list means the file passed.
 */
import { errorMessage } from '../../errors.ts';
import { formatPromDuration, goFormatDuration } from '../../gocompat/duration.ts';
import { goQuote } from '../../gocompat/quote.ts';
import { compareLabels, labelsEqual, labelsFrom, type Labels } from '../../labels/labels.ts';
import { parseSeriesSelector } from '../../labels/selector.ts';
import { Engine } from '../../promql/engine/engine.ts';
import { functionImpls } from '../../promql/functions/table.ts';
import { parseExpr } from '../../promql/parser/parse.ts';
import { parseSeriesDesc } from '../../promql/series-desc.ts';
import { MemoryStorage } from '../../promql/storage/memory.ts';
import { AlertingRule } from '../alerting.ts';
import { engineQueryFunc } from '../engine-query.ts';
import { Group } from '../group.ts';
import { parseRuleFile, RuleFileError } from '../rule-file.ts';
import { parseUnitTestFile, UnitTestFileError, type TestGroup } from './file.ts';
import {
  alertsString,
  indentLines,
  samplesString,
  type LabelsAndAnnotations,
  type ParsedSample,
} from './format.ts';
import { LazyLoader } from './load.ts';

/**
 * parser.ParseMetric: `name{a="b"}` or `{a="b"}`, '' for no labels. Malformed input fails with
 * the selector parser's message (same grammar, same texts) where it has one.
 */
function parseMetric(s: string): Labels {
  if (s.trim() === '') return [];
  try {
    return parseSeriesDesc(s).labels;
  } catch (err) {
    parseSeriesSelector(s);
    throw err;
  }
}

export interface RuleFileSource {
  readonly path: string;
  readonly text: string;
}

/** Resolves rule_files patterns (relative to the test file, globs expanded) and reads them. */
export type RuleFileLoader = (patterns: readonly string[]) => Promise<readonly RuleFileSource[]>;

function loadGroups(
  files: readonly RuleFileSource[],
  interval: number,
): { groups: Group[]; errors: string[] } {
  const groups: Group[] = [];
  const errors: string[] = [];
  for (const f of files) {
    try {
      for (const g of parseRuleFile(f.text)) groups.push(new Group(g, f.path, interval));
    } catch (err) {
      if (err instanceof RuleFileError) errors.push(...err.problems.map((p) => `${f.path}: ${p}`));
      else errors.push(`${f.path}: ${errorMessage(err)}`);
    }
  }
  return { groups, errors };
}

function compareLA(a: LabelsAndAnnotations, b: LabelsAndAnnotations): number {
  return compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
}

const laEqual = (a: readonly LabelsAndAnnotations[], b: readonly LabelsAndAnnotations[]): boolean =>
  a.length === b.length &&
  a.every(
    (x, i) => labelsEqual(x.labels, b[i]!.labels) && labelsEqual(x.annotations, b[i]!.annotations),
  );

// reflect.DeepEqual on float64 uses ==: NaN never equals, -0 equals 0.
const samplesEqual = (a: readonly ParsedSample[], b: readonly ParsedSample[]): boolean =>
  a.length === b.length &&
  a.every((x, i) => labelsEqual(x.labels, b[i]!.labels) && x.value === b[i]!.value);

const mapLabels = (m: ReadonlyMap<string, string>): Labels =>
  labelsFrom([...m].map(([k, v]) => [k, v] as const));

/** One test group (testGroup.test in unittest.go). */
export async function runTestGroup(
  tg: TestGroup,
  evalInterval: number,
  groupOrder: ReadonlyMap<string, number>,
  ruleFiles: readonly RuleFileSource[],
): Promise<string[]> {
  let loader: LazyLoader;
  try {
    loader = new LazyLoader(tg.inputSeries, tg.interval);
  } catch (err) {
    return [errorMessage(err)];
  }
  const storage = new MemoryStorage();
  const engine = new Engine(storage, {
    functions: functionImpls,
    parse: parseExpr,
    maxSamples: 10000,
    timeout: 100_000,
    noStepSubqueryInterval: evalInterval,
  });
  const query = engineQueryFunc(engine);
  const loaded = loadGroups(ruleFiles, tg.interval);
  if (loaded.errors.length > 0) return loaded.errors;
  const groups = loaded.groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => (groupOrder.get(a.g.name) ?? 0) - (groupOrder.get(b.g.name) ?? 0) || a.i - b.i)
    .map((x) => x.g);
  const maxt = Math.max(
    0,
    ...tg.alertRuleTests.map((a) => a.evalTime),
    ...tg.promqlExprTests.map((p) => p.evalTime),
  );
  for (const a of tg.alertRuleTests) {
    if (a.alertname === '') {
      const where = tg.name !== '' ? ` (in TestGroup ${tg.name})` : '';
      return [
        `an item under alert_rule_test misses required attribute alertname at eval_time ${formatPromDuration(a.evalTime)}${where}`,
      ];
    }
  }
  const alertTimes = [...new Set(tg.alertRuleTests.map((a) => a.evalTime))].sort((a, b) => a - b);
  let curr = 0;
  const errs: string[] = [];
  // Typed arrays, not [v]: a plain JS array may canonicalise the staleness marker's NaN bits.
  const appender = {
    append: (m: Labels, t: number, v: number) =>
      storage.append(m, Float64Array.of(t), Float64Array.of(v)),
  };
  const deps = { query, appender, externalLabels: tg.externalLabels, externalURL: tg.externalURL };
  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    loader.appendTill(storage, ts);
    const evalErrs: string[] = [];
    for (const g of groups) {
      await g.eval(ts, deps);
      g.rules.forEach((r, i) => {
        const e = g.lastErrors[i];
        if (e)
          evalErrs.push(`    rule: ${r.name}, time: ${goFormatDuration(ts)}, err: ${e.message}`);
      });
    }
    if (evalErrs.length > 0) return [...errs, ...evalErrs];
    while (
      curr < alertTimes.length &&
      ts <= alertTimes[curr]! &&
      alertTimes[curr]! < ts + evalInterval
    ) {
      const t = alertTimes[curr]!;
      const tests = tg.alertRuleTests.filter((a) => a.evalTime === t);
      const names = new Set(tests.map((a) => a.alertname));
      const got = new Map<string, LabelsAndAnnotations[]>();
      for (const g of groups)
        for (const r of g.rules) {
          if (!(r instanceof AlertingRule) || !names.has(r.name)) continue;
          const list = got.get(r.name) ?? [];
          for (const a of r.activeAlerts())
            if (a.state === 'firing') list.push({ labels: a.labels, annotations: a.annotations });
          got.set(r.name, list);
        }
      for (const tc of tests) {
        const gotAlerts = [...(got.get(tc.alertname) ?? [])].sort(compareLA);
        const expAlerts = tc.expAlerts
          .map((a) => ({
            labels: mapLabels(new Map([...a.labels, ['alertname', tc.alertname]])),
            annotations: mapLabels(a.annotations),
          }))
          .sort(compareLA);
        if (!laEqual(expAlerts, gotAlerts)) {
          const name = tg.name !== '' ? `    name: ${tg.name},\n` : '';
          const exp = indentLines(alertsString(expAlerts), '            ');
          const gotS = indentLines(alertsString(gotAlerts), '            ');
          errs.push(
            `${name}    alertname: ${tc.alertname}, time: ${formatPromDuration(tc.evalTime)}, \n        exp:${exp}, \n        got:${gotS}`,
          );
        }
      }
      curr++;
    }
  }
  outer: for (const tc of tg.promqlExprTests) {
    const head = `    expr: ${goQuote(tc.expr)}, time: ${formatPromDuration(tc.evalTime)}`;
    let got: ParsedSample[];
    try {
      got = (await query(tc.expr, tc.evalTime)).map((s) => ({ labels: s.metric, value: s.v }));
    } catch (err) {
      errs.push(`${head}, err: ${errorMessage(err)}`);
      continue;
    }
    const exp: ParsedSample[] = [];
    for (const s of tc.expSamples) {
      try {
        exp.push({ labels: parseMetric(s.labels), value: s.value });
      } catch (err) {
        errs.push(`${head}, err: labels ${goQuote(s.labels)}: ${errorMessage(err)}`);
        continue outer;
      }
    }
    const byLabels = (a: ParsedSample, b: ParsedSample): number =>
      compareLabels(a.labels, b.labels);
    exp.sort(byLabels);
    got.sort(byLabels);
    if (!samplesEqual(exp, got))
      errs.push(`${head},\n        exp: ${samplesString(exp)}\n        got: ${samplesString(got)}`);
  }
  return errs;
}

/** ruleUnitTest: every failure of one unit-test file; empty when it passed. */
export async function runUnitTestFile(
  text: string,
  loadRuleFiles: RuleFileLoader,
): Promise<string[]> {
  let file;
  try {
    file = parseUnitTestFile(text);
  } catch (err) {
    if (err instanceof UnitTestFileError) return [err.message];
    throw err;
  }
  const ruleFiles = await loadRuleFiles(file.ruleFiles);
  const order = new Map<string, number>();
  for (const [i, g] of file.groupEvalOrder.entries()) {
    if (order.has(g)) return [`group name repeated in evaluation order: ${g}`];
    order.set(g, i);
  }
  const errs: string[] = [];
  for (const tg of file.tests)
    errs.push(...(await runTestGroup(tg, file.evaluationInterval, order, ruleFiles)));
  return errs;
}
