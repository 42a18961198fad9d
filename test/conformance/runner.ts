/**
 * @module test/conformance/runner — runs one PromQL test script against our Engine the way
 * Prometheus's promql/test.go (v2.42) runs it: each eval is an instant query, then the same query
 * with `@ <eval time>` added to every selector at five other times (unless it uses an
 * @-unsafe function), and each of those again as a range query (t-1m … t+1m, step 1m) whose
 * middle step must give the same answer. Results compare with test.go's almostEqual.
 */
import { labelsToString, type Labels } from '../../core/labels/labels.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Expr } from '../../core/promql/ast.ts';
import { assertNever } from '../../core/promql/ast.ts';
import { Engine } from '../../core/promql/engine/engine.ts';
import { AT_MODIFIER_UNSAFE_FUNCTIONS, walk } from '../../core/promql/engine/preprocess.ts';
import type { QueryValue, Sample } from '../../core/promql/engine/result.ts';
import { labelsKey } from '../../core/promql/engine/series.ts';
import { functionImpls } from '../../core/promql/functions/table.ts';
import { parseExpr } from '../../core/promql/parser/parse.ts';
import { MemoryStorage } from '../../core/promql/storage/memory.ts';
import { STALE, parseScript, type Command, type SeqValue } from './script.ts';
import { STALE_NAN } from '../../core/chunkenc/stale.ts';

const MIN_NORMAL = 2.2250738585072014e-308;
const EPSILON = 0.000001;

/** test.go almostEqual: NaN equals NaN; otherwise a relative error below 1e-6. */
export function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < MIN_NORMAL) return diff < EPSILON * MIN_NORMAL;
  return diff / (Math.abs(a) + Math.abs(b)) < EPSILON;
}

export interface CaseFailure {
  readonly line: number;
  readonly expr: string;
  readonly message: string;
}

export interface ScriptResult {
  readonly passed: number;
  readonly failed: CaseFailure[];
}

type EvalCommand = Extract<Command, { kind: 'eval' }>;

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** test.go compareResult. Returns an error message or undefined. */
function compareResult(cmd: EvalCommand, got: QueryValue): string | undefined {
  switch (got.type) {
    case 'matrix':
      return 'received range result on instant evaluation';
    case 'string':
      return `unexpected string result ${JSON.stringify(got.v)}`;
    case 'scalar':
      if (cmd.scalar === undefined) return `expected a vector but got scalar ${fmt(got.v)}`;
      if (!almostEqual(cmd.scalar, got.v))
        return `expected Scalar ${fmt(cmd.scalar)} but got ${fmt(got.v)}`;
      return undefined;
    case 'vector':
      return compareVector(cmd, got.samples);
    default:
      return assertNever(got);
  }
}

function compareVector(cmd: EvalCommand, samples: readonly Sample[]): string | undefined {
  if (cmd.scalar !== undefined)
    return `expected scalar ${fmt(cmd.scalar)} but got a vector of ${samples.length}`;
  const expected = new Map(cmd.expected.map((e) => [labelsKey(e.labels), e]));
  const seen = new Set<string>();
  for (let pos = 0; pos < samples.length; pos++) {
    const s = samples[pos]!;
    const k = labelsKey(s.metric);
    const exp = expected.get(k);
    if (exp === undefined)
      return `unexpected metric ${labelsToString(s.metric)} in result (value ${fmt(s.v)})\n${dump(samples)}`;
    if (cmd.ordered && exp.pos !== pos + 1) {
      return `expected metric ${labelsToString(s.metric)} with ${fmt(exp.value)} at position ${exp.pos} but was at ${pos + 1}\n${dump(samples)}`;
    }
    if (!almostEqual(exp.value, s.v))
      return `expected ${fmt(exp.value)} for ${labelsToString(s.metric)} but got ${fmt(s.v)}`;
    seen.add(k);
  }
  for (const [k, e] of expected) {
    if (!seen.has(k))
      return `expected metric ${labelsToString(e.labels)} with ${fmt(e.value)} not found\n${dump(samples)}`;
  }
  return undefined;
}

function dump(samples: readonly Sample[]): string {
  return (
    `  got ${samples.length}:` +
    samples.map((s) => `\n    ${labelsToString(s.metric)} ${fmt(s.v)}`).join('')
  );
}

/** test.go atModifierTestCases: `@ <evalTime>` on every selector and subquery not inside a subquery. */
export function withAtModifier(e: Expr, ts: number): Expr {
  switch (e.kind) {
    case 'VectorSelector':
      return e.timestamp === undefined ? { ...e, timestamp: ts, startOrEnd: undefined } : e;
    case 'MatrixSelector':
      return {
        ...e,
        vectorSelector: withAtModifier(e.vectorSelector, ts) as typeof e.vectorSelector,
      };
    case 'SubqueryExpr':
      // Selectors inside a subquery keep their own times.
      return e.timestamp === undefined ? { ...e, timestamp: ts, startOrEnd: undefined } : e;
    case 'AggregateExpr':
      return {
        ...e,
        expr: withAtModifier(e.expr, ts),
        param: e.param && withAtModifier(e.param, ts),
      };
    case 'BinaryExpr':
      return { ...e, lhs: withAtModifier(e.lhs, ts), rhs: withAtModifier(e.rhs, ts) };
    case 'Call':
      return { ...e, args: e.args.map((a) => withAtModifier(a, ts)) };
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr':
      return { ...e, expr: withAtModifier(e.expr, ts) } as Expr;
    case 'NumberLiteral':
    case 'StringLiteral':
      return e;
    default:
      return assertNever(e);
  }
}

function atModifierCases(expr: Expr, evalTime: number): { expr: Expr; time: number }[] {
  let unsafe = false;
  walk(expr, (n) => {
    if (n.kind === 'Call' && AT_MODIFIER_UNSAFE_FUNCTIONS.has(n.func.name)) unsafe = true;
  });
  if (unsafe) return [];
  const withAt = withAtModifier(expr, evalTime);
  const times =
    evalTime === 0
      ? [-1000, 0, 1000]
      : [-10 * evalTime, 0, Math.trunc(evalTime / 5), evalTime, 10 * evalTime];
  return times.map((time) => ({ expr: withAt, time }));
}

function describe(expr: string, time: number, variant: string): string {
  return `${variant} at ${time}ms: ${expr}`;
}

async function runEval(engine: Engine, cmd: EvalCommand): Promise<string | undefined> {
  let parsed: Expr;
  try {
    parsed = parseExpr(cmd.expr);
  } catch (err) {
    return `parse error: ${errorMessage(err)}`;
  }
  const queries = [{ expr: parsed, time: cmd.time, variant: 'instant' }];
  for (const q of atModifierCases(parsed, cmd.time))
    queries.push({ ...q, variant: 'instant with @' });
  for (const q of queries) {
    let res: QueryValue;
    try {
      res = (await engine.instantQuery(q.expr, q.time)).value;
    } catch (err) {
      if (cmd.fail) continue;
      return `${describe(cmd.expr, q.time, q.variant)}: error: ${errorMessage(err)}`;
    }
    if (cmd.fail) return `${describe(cmd.expr, q.time, q.variant)}: expected an error, got none`;
    const msg = compareResult(cmd, res);
    if (msg !== undefined) return `${describe(cmd.expr, q.time, q.variant)}: ${msg}`;

    let range: QueryValue;
    try {
      range = (await engine.rangeQuery(q.expr, q.time - 60_000, q.time + 60_000, 60_000)).value;
    } catch (err) {
      return `${describe(cmd.expr, q.time, q.variant)} in range mode: error: ${errorMessage(err)}`;
    }
    if (cmd.ordered) continue; // ordering is not defined for range queries
    if (range.type !== 'matrix')
      return `${describe(cmd.expr, q.time, q.variant)} in range mode: got ${range.type}`;
    const vec: Sample[] = [];
    for (const s of range.series) {
      for (let i = 0; i < s.t.length; i++) {
        if (s.t[i] === q.time) {
          vec.push({ metric: s.metric, t: q.time, v: s.v[i]! });
          break;
        }
      }
    }
    const rmsg =
      res.type === 'scalar'
        ? vec.length === 0
          ? 'no scalar point at the evaluation time'
          : compareResult(cmd, { type: 'scalar', t: q.time, v: vec[0]!.v })
        : compareVector(cmd, vec);
    if (rmsg !== undefined)
      return `${describe(cmd.expr, q.time, q.variant)} in range mode: ${rmsg}`;
  }
  return undefined;
}

function load(storage: MemoryStorage, cmd: Extract<Command, { kind: 'load' }>): void {
  // Later definitions of the same series in one load replace earlier ones (test.go keys by hash).
  const defs = new Map<string, { labels: Labels; values: SeqValue[] }>();
  for (const s of cmd.series) defs.set(labelsKey(s.labels), s);
  for (const s of defs.values()) {
    const n = s.values.filter((x) => x !== undefined).length;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let w = 0;
    s.values.forEach((x, i) => {
      if (x === undefined) return;
      t[w] = i * cmd.interval;
      // Stored straight into the typed array so the stale marker keeps its exact NaN bits.
      v[w] = x === STALE ? STALE_NAN : x;
      w++;
    });
    storage.append(s.labels, t, v);
  }
}

export function newTestEngine(storage: MemoryStorage): Engine {
  // test.go's engine: MaxSamples 10000, Timeout 100s, 1m step for `[range:]` subqueries.
  return new Engine(storage, {
    functions: functionImpls,
    parse: parseExpr,
    maxSamples: 10000,
    timeout: 100_000,
    noStepSubqueryInterval: 60_000,
  });
}

/** Runs a script; every eval command counts as one case. */
export async function runScript(text: string): Promise<ScriptResult> {
  const cmds = parseScript(text);
  const storage = new MemoryStorage();
  const engine = newTestEngine(storage);
  let passed = 0;
  const failed: CaseFailure[] = [];
  for (const cmd of cmds) {
    switch (cmd.kind) {
      case 'clear':
        storage.clear();
        break;
      case 'load':
        load(storage, cmd);
        break;
      case 'eval': {
        let msg: string | undefined;
        try {
          msg = await runEval(engine, cmd);
        } catch (err) {
          msg = `runner error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        }
        if (msg === undefined) passed++;
        else failed.push({ line: cmd.line, expr: cmd.expr, message: msg });
        break;
      }
      default:
        assertNever(cmd);
    }
  }
  return { passed, failed };
}
