/**
 * @module core/promql/parser/tree — lezer syntax tree → a raw tree with Prometheus's structure.
 * The lezer grammar (0.42) groups two things differently from Prometheus's yacc grammar, and this
 * file restores the yacc shape:
 *  - postfix modifiers (`offset`, `@`, `[range]`, `[range:step]`) bind to the nearest operand in
 *    Prometheus (`a + b offset 1m` is `a + (b offset 1m)`; `-a[5m]` is `-(a[5m])`), while lezer
 *    applies them to the whole binary/unary expression on their left;
 *  - lezer reads `-1` as one signed literal, so `-1 ^ 2` becomes `(-1) ^ 2`; Prometheus parses
 *    unary minus below `^`: `-(1 ^ 2)`.
 * Positions are UTF-16 indices into the query. Values are not parsed here (see build.ts).
 */
import type { SyntaxNode } from '@lezer/common';
import type { AggregateOp, BinaryOp } from '../ast.ts';
import type { MatchType } from '../../labels/matcher.ts';

export interface Span {
  readonly from: number;
  readonly to: number;
}

export interface RawMatcher extends Span {
  readonly name: Span;
  readonly op: MatchType;
  readonly value: Span;
}

export interface RawMatching {
  readonly on: boolean;
  readonly labels: readonly Span[];
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  readonly include: readonly Span[];
}

export type Raw =
  | (Span & { readonly t: 'num'; readonly tok: Span })
  | (Span & { readonly t: 'str' })
  | (Span & {
      readonly t: 'vs';
      readonly name: Span | undefined;
      readonly matchers: readonly RawMatcher[];
    })
  | (Span & {
      readonly t: 'unary';
      readonly op: '+' | '-';
      readonly expr: Raw;
      readonly signedLiteral: boolean;
    })
  | (Span & { readonly t: 'paren'; readonly expr: Raw })
  | (Span & { readonly t: 'call'; readonly name: Span; readonly args: readonly Raw[] })
  | (Span & {
      readonly t: 'agg';
      readonly op: AggregateOp;
      readonly without: boolean;
      /** `by`/`without` written (before or after the body). */
      readonly hasModifier: boolean;
      readonly labels: readonly Span[];
      readonly args: readonly Raw[];
    })
  | (Span & {
      readonly t: 'bin';
      readonly op: BinaryOp;
      readonly returnBool: boolean;
      readonly matching: RawMatching | undefined;
      readonly lhs: Raw;
      readonly rhs: Raw;
    })
  | (Span & {
      readonly t: 'offset';
      readonly expr: Raw;
      readonly negative: boolean;
      readonly dur: Span;
    })
  | (Span & {
      readonly t: 'at';
      readonly expr: Raw;
      readonly num: { readonly negative: boolean; readonly tok: Span } | undefined;
      readonly preproc: 'start' | 'end' | undefined;
    })
  | (Span & {
      readonly t: 'matrix';
      readonly expr: Raw;
      readonly lbracket: number;
      readonly dur: Span;
    })
  | (Span & {
      readonly t: 'subquery';
      readonly expr: Raw;
      readonly range: Span;
      readonly step: Span | undefined;
    });

/** Lezer's tree does not match any shape Prometheus accepts; a syntax error explains why. */
export class StructureError extends Error {}

const EXPR_NODES = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberLiteral',
  'OffsetExpr',
  'ParenExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
  'StepInvariantExpr',
]);

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Gte: '>=',
  Gtr: '>',
  Lte: '<=',
  Lss: '<',
  Neq: '!=',
  And: 'and',
  Unless: 'unless',
  Or: 'or',
};

const MATCH_OPS: Readonly<Record<string, MatchType>> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

/** Child nodes; lezer's error nodes are skipped (a missing required part throws StructureError). */
function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!c.type.isError) out.push(c);
  return out;
}

function child(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name === name) return c;
  return undefined;
}

/** `c` unless an error node precedes it among `node`'s children. */
function before(node: SyntaxNode, c: SyntaxNode | undefined): SyntaxNode | undefined {
  if (!c) return undefined;
  for (let k = node.firstChild; k && k.from < c.from; k = k.nextSibling)
    if (k.type.isError) return undefined;
  return c;
}

/** Whether the query text right before `end` is `ch` (lezer leaves `(`/`)`/`]`/`}` out of the tree). */
function closedBy(src: string, end: number, ch: string): boolean {
  return src[end - 1] === ch;
}

function need<T>(x: T | undefined): T {
  if (x === undefined) throw new StructureError('missing child');
  return x;
}

/** A node's end without what follows an error lezer put inside it (Prometheus stopped there). */
function endOf(n: SyntaxNode): number {
  let end = n.from;
  for (let c = n.firstChild; c; c = c.nextSibling) {
    if (c.type.isError) return end;
    end = c.to;
  }
  return n.to;
}

const span = (n: SyntaxNode): Span => ({ from: n.from, to: endOf(n) });

/** Applies a postfix modifier to the operand nearest to it, as Prometheus's grammar does. */
function attachPostfix(e: Raw, to: number, make: (operand: Raw) => Raw): Raw {
  if (e.t === 'bin') return { ...e, to, rhs: attachPostfix(e.rhs, to, make) };
  if (e.t === 'unary') return { ...e, to, expr: attachPostfix(e.expr, to, make) };
  return make(e);
}

/** Prometheus's operator precedence (generated_parser.y, lowest first); unary +/- binds like `*`. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
const UNARY_PRECEDENCE = 5;

type BinRaw = Extract<Raw, { t: 'bin' }>;
type UnaryRaw = Extract<Raw, { t: 'unary' }>;

/**
 * A binary node with Prometheus's precedence restored. Lezer treats an expression carrying a
 * postfix modifier (or a signed literal) as one operand; once the modifier moved to the nearest
 * operand, the binary/unary parts it covered must be re-associated. Parenthesised parts are
 * ParenExpr nodes, so any unparenthesised child that binds looser than its parent is such a case.
 */
function mkBin(node: Omit<BinRaw, 'from' | 'to' | 'lhs' | 'rhs'>, lhs: Raw, rhs: Raw): Raw {
  const p = PRECEDENCE[node.op];
  const rightAssoc = node.op === '^';
  if (lhs.t === 'bin') {
    const lp = PRECEDENCE[lhs.op];
    if (lp < p || (lp === p && rightAssoc)) return mkBin(lhs, lhs.lhs, mkBin(node, lhs.rhs, rhs));
  }
  if (lhs.t === 'unary' && p > UNARY_PRECEDENCE) return mkUnary(lhs, mkBin(node, lhs.expr, rhs));
  if (rhs.t === 'bin') {
    const rp = PRECEDENCE[rhs.op];
    if (rp < p || (rp === p && !rightAssoc)) return mkBin(rhs, mkBin(node, lhs, rhs.lhs), rhs.rhs);
  }
  return { ...node, t: 'bin', from: lhs.from, to: rhs.to, lhs, rhs } as BinRaw;
}

/** A unary node with precedence restored: `-` applies before any binary operator but `^`. */
function mkUnary(node: UnaryRaw, expr: Raw): Raw {
  if (expr.t === 'bin' && PRECEDENCE[expr.op] <= UNARY_PRECEDENCE) {
    return mkBin(expr, mkUnary(node, expr.lhs), expr.rhs);
  }
  return { ...node, to: expr.to, expr };
}

/**
 * Converts one lezer expression node. `src` is the ORIGINAL query (names are read from it; the
 * shadow text only differs in literals). `tokenBefore(pos)` returns the start of the token that
 * ends right before `pos` (used for the `[` of a range).
 */
export function toRaw(node: SyntaxNode, src: string, tokenBefore: (pos: number) => number): Raw {
  const expr = (n: SyntaxNode): Raw => toRaw(n, src, tokenBefore);
  const exprKids = (n: SyntaxNode): SyntaxNode[] =>
    children(n).filter((c) => EXPR_NODES.has(c.name));

  switch (node.name) {
    case 'ParenExpr':
      if (!closedBy(src, endOf(node), ')')) throw new StructureError('unclosed paren');
      return { t: 'paren', ...span(node), expr: expr(need(exprKids(node)[0])) };

    case 'NumberLiteral': {
      const text = src.slice(node.from, node.to);
      const sign = text[0] === '-' || text[0] === '+' ? text[0] : undefined;
      if (!sign) return { t: 'num', ...span(node), tok: span(node) };
      const at = skipBlank(src, node.from + 1, node.to);
      const num: Raw = { t: 'num', from: at, to: node.to, tok: { from: at, to: node.to } };
      return { t: 'unary', ...span(node), op: sign, expr: num, signedLiteral: true };
    }

    case 'StringLiteral':
      return { t: 'str', ...span(node) };

    case 'VectorSelector': {
      const id = child(node, 'Identifier');
      const lm = child(node, 'LabelMatchers');
      const matchers: RawMatcher[] = [];
      if (lm) {
        if (!closedBy(src, lm.to, '}')) throw new StructureError('unclosed braces');
        for (const m of children(lm)) {
          if (m.name !== 'LabelMatcher') continue;
          const name = need(child(m, 'LabelName'));
          const opNode = need(child(m, 'MatchOp')?.firstChild ?? undefined);
          const value = need(child(m, 'StringLiteral'));
          matchers.push({
            ...span(m),
            name: span(name),
            op: need(MATCH_OPS[opNode.name]),
            value: span(value),
          });
        }
      }
      children(node);
      return { t: 'vs', ...span(node), name: id ? span(id) : undefined, matchers };
    }

    case 'UnaryExpr': {
      const op = need(child(node, 'UnaryOp'));
      const text = src.slice(op.from, op.to);
      return {
        t: 'unary',
        ...span(node),
        op: text === '-' ? '-' : '+',
        expr: expr(need(exprKids(node)[0])),
        signedLiteral: false,
      };
    }

    case 'FunctionCall': {
      const id = need(child(node, 'FunctionIdentifier'));
      const body = need(child(node, 'FunctionCallBody'));
      if (!closedBy(src, body.to, ')')) throw new StructureError('unclosed call');
      return { t: 'call', ...span(node), name: span(id), args: exprKids(body).map(expr) };
    }

    case 'AggregateExpr': {
      const op = need(child(node, 'AggregateOp'));
      // A modifier after an error node is not part of what Prometheus reduced.
      const mod = before(node, child(node, 'AggregateModifier'));
      const body = need(child(node, 'FunctionCallBody'));
      if (!closedBy(src, body.to, ')')) throw new StructureError('unclosed aggregation');
      const labels = mod ? groupingLabels(src, need(child(mod, 'GroupingLabels'))) : [];
      return {
        t: 'agg',
        ...span(node),
        op: src.slice(op.from, op.to).toLowerCase() as AggregateOp,
        without: mod ? child(mod, 'Without') !== undefined : false,
        hasModifier: mod !== undefined,
        labels,
        args: exprKids(body).map(expr),
      };
    }

    case 'BinaryExpr': {
      const kids = children(node);
      const operands = kids.filter((c) => EXPR_NODES.has(c.name));
      const opNode = need(
        kids.find((c) => BINARY_OPS[c.name] !== undefined && !EXPR_NODES.has(c.name)),
      );
      if (operands.length !== 2) throw new StructureError('binary operands');
      const op = BINARY_OPS[opNode.name]!;
      const mm = child(node, 'MatchingModifierClause');
      let matching: RawMatching | undefined;
      if (mm) {
        const groups = children(mm).filter((c) => c.name === 'GroupingLabels');
        const left = child(mm, 'GroupLeft');
        const right = child(mm, 'GroupRight');
        matching = {
          on: child(mm, 'On') !== undefined,
          labels: groupingLabels(src, need(groups[0])),
          card: left ? 'many-to-one' : right ? 'one-to-many' : 'one-to-one',
          include: groups[1] ? groupingLabels(src, groups[1]) : [],
        };
      }
      const lhs = expr(operands[0]!);
      const rhs = expr(operands[1]!);
      // `-1 ^ 2`: the sign lezer folded into the literal binds looser than `^` (mkBin rotates it).
      return mkBin(
        { t: 'bin', op, returnBool: child(node, 'BoolModifier') !== undefined, matching },
        lhs,
        rhs,
      );
    }

    case 'OffsetExpr': {
      const operand = expr(need(exprKids(node)[0]));
      const dur = need(child(node, 'Duration'));
      const negative = child(node, 'Sub') !== undefined;
      return attachPostfix(operand, endOf(node), (e) => ({
        t: 'offset',
        from: e.from,
        to: endOf(node),
        expr: e,
        negative,
        dur: span(dur),
      }));
    }

    case 'StepInvariantExpr': {
      const kids = children(node);
      const operand = expr(
        need(kids.find((c) => EXPR_NODES.has(c.name) && c.from < need(child(node, 'At')).from)),
      );
      const at = need(child(node, 'At'));
      const numNode = kids.find((c) => c.name === 'NumberLiteral' && c.from > at.from);
      const pre = child(node, 'AtModifierPreprocessors');
      let num: { negative: boolean; tok: Span } | undefined;
      if (numNode) {
        const text = src.slice(numNode.from, numNode.to);
        let from = numNode.from;
        const negative = text[0] === '-';
        if (text[0] === '-' || text[0] === '+') from = skipBlank(src, from + 1, numNode.to);
        num = { negative, tok: { from, to: numNode.to } };
      } else if (!pre) throw new StructureError('@ without timestamp');
      if (pre && !/^\s*\(\s*\)/.test(src.slice(pre.to)))
        throw new StructureError('@ start/end without ()');
      const preproc = pre ? (child(pre, 'Start') ? 'start' : 'end') : undefined;
      return attachPostfix(operand, endOf(node), (e) => ({
        t: 'at',
        from: e.from,
        to: endOf(node),
        expr: e,
        num,
        preproc,
      }));
    }

    case 'MatrixSelector': {
      const operand = expr(need(exprKids(node)[0]));
      const dur = need(child(node, 'Duration'));
      if (!closedBy(src, endOf(node), ']')) throw new StructureError('unclosed range');
      const lbracket = tokenBefore(dur.from);
      return attachPostfix(operand, endOf(node), (e) => ({
        t: 'matrix',
        from: e.from,
        to: endOf(node),
        expr: e,
        lbracket,
        dur: span(dur),
      }));
    }

    case 'SubqueryExpr': {
      const operand = expr(need(exprKids(node)[0]));
      if (!closedBy(src, endOf(node), ']')) throw new StructureError('unclosed subquery');
      const durs = children(node).filter((c) => c.name === 'Duration');
      const range = span(need(durs[0]));
      const step = durs[1] ? span(durs[1]) : undefined;
      return attachPostfix(operand, endOf(node), (e) => ({
        t: 'subquery',
        from: e.from,
        to: endOf(node),
        expr: e,
        range,
        step,
      }));
    }
  }
  throw new StructureError(`unexpected node ${node.name}`);
}

function groupingLabels(src: string, node: SyntaxNode): Span[] {
  if (!closedBy(src, node.to, ')')) throw new StructureError('unclosed grouping');
  return children(node)
    .filter((c) => c.name === 'LabelName')
    .map(span);
}

/** Skips whitespace and `#` comments between a sign and its number. */
function skipBlank(src: string, at: number, to: number): number {
  while (at < to) {
    const c = src[at]!;
    if (c === '#') {
      while (at < to && src[at] !== '\n' && src[at] !== '\r') at++;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') at++;
    else break;
  }
  return at;
}
