/**
 * @module core/promql/format — AST → PromQL text exactly as Prometheus 2.42 prints it:
 * `formatExpr` is `Expr.String()` (printer.go: canonical one-line form, matchers sorted, numbers
 * as Go `%v`, durations as model.Duration) and `prettyExpr` is `Expr.Pretty(0)` (prettier.go:
 * split over lines past 100 bytes), which `/api/v1/format_query` returns.
 */
import type { AtModifier, Expr, VectorMatching, VectorSelector } from './ast.ts';
import { assertNever } from './ast.ts';
import { compareStrings, METRIC_NAME } from '../labels/labels.ts';
import { goQuote } from '../gocompat/quote.ts';
import { formatPromDuration } from '../gocompat/duration.ts';
import { goFormatFloat } from '../gocompat/strconv.ts';
import { BadDataError } from '../errors.ts';

/** Prometheus prettier.go `maxCharactersPerLine`. */
export const MAX_CHARACTERS_PER_LINE = 100;
const INDENT = '  ';

const UTF8 = new TextEncoder();

function offsetSuffix(offset: number): string {
  if (offset > 0) return ` offset ${formatPromDuration(offset)}`;
  if (offset < 0) return ` offset -${formatPromDuration(-offset)}`;
  return '';
}

/** Go's `%.3f` of seconds. */
function seconds3(ms: number): string {
  return goFormatFloat(ms / 1000, 'f', 3);
}

function atSuffix(m: AtModifier): string {
  if (m.timestamp !== undefined) return ` @ ${seconds3(m.timestamp)}`;
  if (m.startOrEnd === 'start') return ' @ start()';
  if (m.startOrEnd === 'end') return ' @ end()';
  return '';
}

/** The selector without its modifiers: `name{sorted matchers}`. */
function selectorBody(vs: VectorSelector): string {
  const labels: string[] = [];
  for (const m of vs.matchers) {
    // As Prometheus: the matcher equal to the selector's name is implied (with no name, `__name__=""`).
    if (m.name === METRIC_NAME && m.type === '=' && m.value === (vs.name ?? '')) continue;
    labels.push(m.toString());
  }
  const name = vs.name ?? '';
  if (labels.length === 0) return name;
  labels.sort(compareStrings);
  return `${name}{${labels.join(',')}}`;
}

function matchingSuffix(vm: VectorMatching | undefined): string {
  if (!vm || (vm.matchingLabels.length === 0 && !vm.on)) return '';
  let s = ` ${vm.on ? 'on' : 'ignoring'} (${vm.matchingLabels.join(', ')})`;
  if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
    s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.join(', ')})`;
  }
  return s;
}

function aggregatorPrefix(e: Extract<Expr, { kind: 'AggregateExpr' }>): string {
  if (e.without) return `${e.op} without (${e.grouping.join(', ')}) `;
  if (e.grouping.length > 0) return `${e.op} by (${e.grouping.join(', ')}) `;
  return e.op;
}

function subquerySuffix(e: Extract<Expr, { kind: 'SubqueryExpr' }>): string {
  const step = e.step !== 0 ? formatPromDuration(e.step) : '';
  return `[${formatPromDuration(e.range)}:${step}]${atSuffix(e)}${offsetSuffix(e.offset)}`;
}

/** A node's printed form as text and child nodes, in order (Prometheus printer.go). */
type Piece = string | Expr;

function pieces(e: Expr): readonly Piece[] {
  switch (e.kind) {
    case 'AggregateExpr':
      return e.param !== undefined
        ? [`${aggregatorPrefix(e)}(`, e.param, ', ', e.expr, ')']
        : [`${aggregatorPrefix(e)}(`, e.expr, ')'];
    case 'BinaryExpr':
      return [e.lhs, ` ${e.op}${e.returnBool ? ' bool' : ''}${matchingSuffix(e.matching)} `, e.rhs];
    case 'Call': {
      const out: Piece[] = [`${e.func.name}(`];
      e.args.forEach((a, i) => {
        if (i > 0) out.push(', ');
        out.push(a);
      });
      out.push(')');
      return out;
    }
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      return [
        `${selectorBody(vs)}[${formatPromDuration(e.range)}]${atSuffix(vs)}${offsetSuffix(vs.offset)}`,
      ];
    }
    case 'SubqueryExpr':
      return [e.expr, subquerySuffix(e)];
    case 'NumberLiteral':
      return [goFormatFloat(e.value, 'g', -1)];
    case 'ParenExpr':
      return ['(', e.expr, ')'];
    case 'StringLiteral':
      return [goQuote(e.value)];
    case 'UnaryExpr':
      return [e.op, e.expr];
    case 'VectorSelector':
      return [`${selectorBody(e)}${atSuffix(e)}${offsetSuffix(e.offset)}`];
    case 'StepInvariantExpr':
      return [e.expr];
    default:
      return assertNever(e);
  }
}

/**
 * Prometheus `Expr.String()`. Printed from a work stack rather than by recursion, so a deeply
 * nested query prints in time and stack linear in its size.
 */
export function formatExpr(e: Expr): string {
  const out: string[] = [];
  const work: Piece[] = [e];
  while (work.length > 0) {
    const p = work.pop()!;
    if (typeof p === 'string') {
      out.push(p);
      continue;
    }
    const ps = pieces(p);
    for (let i = ps.length - 1; i >= 0; i--) work.push(ps[i]!);
  }
  return out.join('');
}

/** UTF-8 length of every node's `formatExpr`, computed bottom-up in one pass. */
function printedLengths(root: Expr): Map<Expr, number> {
  const lengths = new Map<Expr, number>();
  const stack: { e: Expr; ps: readonly Piece[]; i: number }[] = [
    { e: root, ps: pieces(root), i: 0 },
  ];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i < f.ps.length) {
      const p = f.ps[f.i++]!;
      if (typeof p !== 'string') stack.push({ e: p, ps: pieces(p), i: 0 });
      continue;
    }
    stack.pop();
    let n = 0;
    for (const p of f.ps) n += typeof p === 'string' ? UTF8.encode(p).length : lengths.get(p)!;
    lengths.set(f.e, n);
  }
  return lengths;
}

/**
 * Prometheus's pretty form is quadratic in the nesting depth (every level indents its whole
 * body); past this many characters `/api/v1/format_query` refuses instead of filling the isolate.
 */
export const MAX_PRETTY_CHARACTERS = 16 * 1024 * 1024;

/** The pretty form would be longer than MAX_PRETTY_CHARACTERS. */
export class PrettyTooLongError extends BadDataError {}

/** One pretty-printing step: a node at an indentation level, text, or "trim the next text's start". */
type PrettyItem = { readonly e: Expr; readonly level: number } | string | typeof TRIM_START;
const TRIM_START = Symbol('trimStart');

/** Prometheus `Expr.Pretty(level)`; `/api/v1/format_query` returns `prettyExpr(expr)`. */
export function prettyExpr(root: Expr, rootLevel = 0): string {
  const lengths = printedLengths(root);
  const needsSplit = (e: Expr): boolean => lengths.get(e)! > MAX_CHARACTERS_PER_LINE;
  const out: string[] = [];
  let size = 0;
  let trimStart = false;
  const emit = (text: string): void => {
    if (trimStart) {
      // `-` prints its operand's pretty form with the indentation trimmed off.
      const t = text.trimStart();
      if (t === '') return;
      trimStart = false;
      text = t;
    }
    size += text.length;
    if (size > MAX_PRETTY_CHARACTERS) {
      throw new PrettyTooLongError(
        `formatted query exceeds ${MAX_PRETTY_CHARACTERS} characters (nesting too deep to print)`,
      );
    }
    out.push(text);
  };
  const work: PrettyItem[] = [{ e: root, level: rootLevel }];
  const push = (...items: PrettyItem[]): void => {
    for (let i = items.length - 1; i >= 0; i--) work.push(items[i]!);
  };
  while (work.length > 0) {
    const item = work.pop()!;
    if (item === TRIM_START) {
      trimStart = true;
      continue;
    }
    if (typeof item === 'string') {
      emit(item);
      continue;
    }
    const { e, level } = item;
    const ind = INDENT.repeat(level);
    switch (e.kind) {
      case 'AggregateExpr': {
        if (!needsSplit(e)) {
          emit(ind + formatExpr(e));
          break;
        }
        const param: PrettyItem[] =
          e.param !== undefined ? [{ e: e.param, level: level + 1 }, ',\n'] : [];
        push(
          `${ind}${aggregatorPrefix(e)}(\n`,
          ...param,
          { e: e.expr, level: level + 1 },
          `\n${ind})`,
        );
        break;
      }
      case 'BinaryExpr': {
        if (!needsSplit(e)) {
          emit(ind + formatExpr(e));
          break;
        }
        const op = `${e.op}${e.returnBool ? ' bool' : ''}${matchingSuffix(e.matching)}`;
        push({ e: e.lhs, level: level + 1 }, `\n${ind}${op}\n`, { e: e.rhs, level: level + 1 });
        break;
      }
      case 'Call': {
        if (!needsSplit(e)) {
          emit(ind + formatExpr(e));
          break;
        }
        const args: PrettyItem[] = [];
        e.args.forEach((a, i) => {
          if (i > 0) args.push(',\n');
          args.push({ e: a, level: level + 1 });
        });
        push(`${ind}${e.func.name}(\n`, ...args, `\n${ind})`);
        break;
      }
      case 'ParenExpr':
        if (!needsSplit(e)) emit(ind + formatExpr(e));
        else push(`${ind}(\n`, { e: e.expr, level: level + 1 }, `\n${ind})`);
        break;
      case 'StepInvariantExpr':
        push({ e: e.expr, level });
        break;
      case 'SubqueryExpr':
        // Prometheus prints an unsplit subquery without indentation.
        if (!needsSplit(e)) emit(formatExpr(e));
        else push({ e: e.expr, level }, subquerySuffix(e));
        break;
      case 'UnaryExpr':
        push(`${ind}${e.op}`, TRIM_START, { e: e.expr, level });
        break;
      case 'MatrixSelector':
      case 'VectorSelector':
      case 'NumberLiteral':
      case 'StringLiteral':
        emit(ind + formatExpr(e));
        break;
      default:
        assertNever(e);
    }
  }
  return out.join('');
}
