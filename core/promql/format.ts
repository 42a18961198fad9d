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

/** Prometheus `Expr.String()`. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'AggregateExpr': {
      const param = e.param !== undefined ? `${formatExpr(e.param)}, ` : '';
      return `${aggregatorPrefix(e)}(${param}${formatExpr(e.expr)})`;
    }
    case 'BinaryExpr':
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingSuffix(e.matching)} ${formatExpr(e.rhs)}`;
    case 'Call':
      return `${e.func.name}(${e.args.map(formatExpr).join(', ')})`;
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      return `${selectorBody(vs)}[${formatPromDuration(e.range)}]${atSuffix(vs)}${offsetSuffix(vs.offset)}`;
    }
    case 'SubqueryExpr':
      return `${formatExpr(e.expr)}${subquerySuffix(e)}`;
    case 'NumberLiteral':
      return goFormatFloat(e.value, 'g', -1);
    case 'ParenExpr':
      return `(${formatExpr(e.expr)})`;
    case 'StringLiteral':
      return goQuote(e.value);
    case 'UnaryExpr':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'VectorSelector':
      return `${selectorBody(e)}${atSuffix(e)}${offsetSuffix(e.offset)}`;
    case 'StepInvariantExpr':
      return formatExpr(e.expr);
    default:
      return assertNever(e);
  }
}

function needsSplit(e: Expr): boolean {
  return UTF8.encode(formatExpr(e)).length > MAX_CHARACTERS_PER_LINE;
}

/** Prometheus `Expr.Pretty(level)`; `/api/v1/format_query` returns `prettyExpr(expr)`. */
export function prettyExpr(e: Expr, level = 0): string {
  const ind = INDENT.repeat(level);
  switch (e.kind) {
    case 'AggregateExpr': {
      if (!needsSplit(e)) return ind + formatExpr(e);
      let s = `${ind}${aggregatorPrefix(e)}(\n`;
      if (e.param !== undefined) s += `${prettyExpr(e.param, level + 1)},\n`;
      return `${s}${prettyExpr(e.expr, level + 1)}\n${ind})`;
    }
    case 'BinaryExpr': {
      if (!needsSplit(e)) return ind + formatExpr(e);
      const op = `${e.op}${e.returnBool ? ' bool' : ''}${matchingSuffix(e.matching)}`;
      return `${prettyExpr(e.lhs, level + 1)}\n${ind}${op}\n${prettyExpr(e.rhs, level + 1)}`;
    }
    case 'Call': {
      if (!needsSplit(e)) return ind + formatExpr(e);
      const args = e.args.map((a) => prettyExpr(a, level + 1)).join(',\n');
      return `${ind}${e.func.name}(\n${args}\n${ind})`;
    }
    case 'ParenExpr':
      if (!needsSplit(e)) return ind + formatExpr(e);
      return `${ind}(\n${prettyExpr(e.expr, level + 1)}\n${ind})`;
    case 'StepInvariantExpr':
      return prettyExpr(e.expr, level);
    case 'SubqueryExpr':
      // Prometheus prints an unsplit subquery without indentation.
      if (!needsSplit(e)) return formatExpr(e);
      return `${prettyExpr(e.expr, level)}${subquerySuffix(e)}`;
    case 'UnaryExpr':
      return `${ind}${e.op}${prettyExpr(e.expr, level).trim()}`;
    case 'MatrixSelector':
    case 'VectorSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
      return ind + formatExpr(e);
    default:
      return assertNever(e);
  }
}
