/**
 * @module core/promql/parser/parse — `parseExpr`: PromQL text → typed AST with Prometheus 2.42's
 * acceptance rules and error messages. Stages: Prometheus-exact lexer (lexer.ts) → same-length
 * shadow text (shadow.ts) → `@prometheus-io/lezer-promql` 0.42 for structure → Prometheus-shaped
 * raw tree (tree.ts) → AST with reduction-time checks (build.ts) → type checks (check.ts).
 * Every failure is a ParseError (a BadDataError) reading `<line>:<col>: parse error: <msg>`.
 */
import { parser as lezerParser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import type { Expr } from '../ast.ts';
import { AstBuilder } from './build.ts';
import { checkAst } from './check.ts';
import { ByteOffsets, ErrorCollector, ErrorKey, ErrorStage, ParseError } from './errors.ts';
import { describeToken, lex, type Token } from './lexer.ts';
import { buildShadow, type Shadow } from './shadow.ts';
import { syntaxContext } from './syntax-context.ts';
import { parseStructure } from './structure.ts';
import {
  checkQueryDepth,
  checkQueryLength,
  DEFAULT_PARSE_LIMITS,
  type ParseLimits,
} from './limits.ts';
import { StructureError, toRaw } from './tree.ts';

/**
 * Parses a PromQL expression; throws ParseError (BadDataError) with Prometheus's message, or
 * QueryTooLongError / QueryTooDeepError past `limits`.
 */
export function parseExpr(query: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Expr {
  return parseWith(query, limits, true);
}

/**
 * The lezer path alone, without the structure parser: the differential test checks that both
 * paths build the same AST wherever the structure parser accepts a query. Not for other uses.
 */
export function parseExprWithLezer(query: string): Expr {
  return parseWith(query, DEFAULT_PARSE_LIMITS, false);
}

function parseWith(query: string, limits: ParseLimits, structured: boolean): Expr {
  const offsets = new ByteOffsets(query);
  checkQueryLength(offsets.bytes.length, limits);
  const errors = new ErrorCollector();
  const fail = (start: number, message: string): never => {
    throw new ParseError(query, offsets.toByte(start), message, offsets.bytes);
  };

  const { tokens, error: lexError } = lex(query);
  const code = tokens.filter((t) => t.type !== 'COMMENT');
  if (lexError)
    errors.add(ErrorStage.Lexer, ErrorKey.lexer(lexError.at), lexError.start, lexError.message);
  else if (code.length === 0) fail(0, 'no expression found in input');

  // Lezer sees the text the lexer accepted; past a lexical error Prometheus stops anyway.
  const end = lexError ? lexError.start : query.length;
  const shadow = buildShadow(query.slice(0, end), tokens);
  for (const p of shadow.problems) errors.add(ErrorStage.Token, p.key, p.start, p.message);

  // Clean token streams (the usual case, and every deep or long query) are structured by the
  // stack-based parser; lezer only runs to word the syntax errors of the others.
  const tokenEnds = new Map(code.map((t) => [t.start, t.end]));
  const lookahead = (pos: number): number =>
    code[firstTokenFrom(code, pos)]?.start ?? (lexError ? lexError.at : query.length);
  const builder = new AstBuilder(
    query,
    (i) => offsets.toByte(i),
    errors,
    tokenEnds,
    lookahead,
    shadow.matchers,
  );
  const clean = !lexError && shadow.problems.length === 0;
  // Past lezer's own limits its errors would be artifacts of them.
  const big = code.length > LEZER_MAX_TOKENS || nestingDepth(code) > LEZER_MAX_DEPTH;
  if (structured && (clean || big)) {
    const structure = parseStructure(code);
    if (structure.ok && clean) return finish(builder.build(structure.raw));
    if (big) {
      // The first of: the lexer's and the token scan's errors, and where this parser stopped
      // (unless it only ran out of the tokens the lexer gave before its error).
      if (!structure.ok && !(lexError && structure.at >= code.length)) {
        const tok = code[structure.at];
        const at = tok ? tok.start : query.length;
        errors.add(
          ErrorStage.Syntax,
          ErrorKey.syntax(at),
          at,
          `unexpected ${describeToken(tok)}${syntaxContext(code, structure.at, shadow.metricNames)}`,
        );
      }
      const first = errors.first();
      return fail(first?.start ?? 0, first?.message ?? 'no expression found in input');
    }
  }

  const tree = lezerParser.parse(shadow.text);
  reportSyntaxError(tree, code, end, errors, shadow);
  const broken = containsError(tree.topNode) || countExpressions(tree.topNode) > 1;
  const tokenBefore = makeTokenBefore(code);
  const build = (node: SyntaxNode): Expr => builder.build(toRaw(node, query, tokenBefore));

  let ast: Expr | undefined;
  const top = firstExpression(tree.topNode);
  if (top && !broken) {
    try {
      ast = build(top);
    } catch (e) {
      if (!(e instanceof StructureError)) throw e;
      errors.add(
        ErrorStage.Syntax,
        ErrorKey.syntax(top.from),
        top.from,
        `unexpected ${describeToken(code.find((t) => t.start >= top.from))}`,
      );
    }
  } else {
    // Prometheus reports errors of constructs it reduced before reaching the syntax error, so
    // the intact parts of a broken tree are still built for their errors.
    buildIntactParts(tree.topNode, build);
  }

  if (!ast) {
    const first = errors.first();
    return fail(first?.start ?? 0, first?.message ?? 'no expression found in input');
  }
  return finish(ast);

  function finish(e: Expr): Expr {
    const first = errors.first();
    if (first) fail(first.start, first.message);
    checkQueryDepth(e, limits);
    checkAst(e, query, offsets.bytes);
    return e;
  }
}

/**
 * Lezer (@lezer/lr 1.4) force-reduces past 8,400 stack entries (~2,800 frames) and cuts a chain
 * after 300 reductions at one start over 2,000 characters. 600 tokens cannot make 300 such
 * reductions (each takes an operator and an operand) nor 2,800 frames, and 256 levels of
 * brackets stay far below them: within these bounds lezer's tree, and so its error, is faithful.
 */
const LEZER_MAX_TOKENS = 600;
const LEZER_MAX_DEPTH = 256;

/** The deepest `(`/`{`/`[` nesting of a token stream. */
function nestingDepth(code: readonly Token[]): number {
  let depth = 0;
  let max = 0;
  for (const t of code) {
    if (t.type === 'LEFT_PAREN' || t.type === 'LEFT_BRACE' || t.type === 'LEFT_BRACKET')
      max = Math.max(max, ++depth);
    else if (t.type === 'RIGHT_PAREN' || t.type === 'RIGHT_BRACE' || t.type === 'RIGHT_BRACKET')
      depth--;
  }
  return max;
}

/** Index of the first token starting at or after `pos` (code.length when none). */
function firstTokenFrom(code: readonly Token[], pos: number): number {
  let lo = 0;
  let hi = code.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (code[mid]!.start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstExpression(top: SyntaxNode): SyntaxNode | undefined {
  for (let c = top.firstChild; c; c = c.nextSibling) if (!c.type.isError) return c;
  return undefined;
}

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

function countExpressions(top: SyntaxNode): number {
  let n = 0;
  for (let c = top.firstChild; c; c = c.nextSibling) if (!c.type.isError) n++;
  return n;
}

function containsError(node: SyntaxNode): boolean {
  for (let c = node.firstChild; c; c = c.nextSibling)
    if (c.type.isError || containsError(c)) return true;
  return false;
}

/**
 * Whether Prometheus would have reduced this node before its syntax error: no error inside, except
 * unexpected tokens lezer attached after its last part (a zero-width error marks a missing part).
 */
function complete(node: SyntaxNode): boolean {
  let trailing = false;
  let parts = 0;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.type.isError) {
      if (c.to === c.from) return false;
      trailing = true;
    } else if (trailing) {
      // `sum(x) <error> by (a)`: Prometheus reduced `sum(x)` before the error; the rest is ignored.
      return (
        node.name === 'AggregateExpr' &&
        parts === 2 &&
        node.firstChild?.nextSibling?.name === 'FunctionCallBody'
      );
    } else if (containsError(c)) return false;
    else parts++;
  }
  return true;
}

/** Builds every largest complete expression subtree of a broken tree, for the errors it reports. */
function buildIntactParts(node: SyntaxNode, build: (n: SyntaxNode) => Expr): void {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.type.isError) {
      buildIntactParts(c, build);
      continue;
    }
    if (EXPR_NODES.has(c.name) && complete(c)) {
      try {
        build(c);
        continue;
      } catch (e) {
        if (!(e instanceof StructureError)) throw e;
      }
    }
    buildIntactParts(c, build);
  }
}

/** Records lezer's first error node as Prometheus's `unexpected <token>` message. */
function reportSyntaxError(
  tree: Tree,
  code: readonly Token[],
  end: number,
  errors: ErrorCollector,
  shadow: Shadow,
): void {
  const ignored = (pos: number): boolean =>
    shadow.ignoreSyntaxErrors.some(([from, to]) => pos >= from && pos < to);
  let errFrom: number | undefined;
  const topLevelCount = countExpressions(tree.topNode);
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && !ignored(n.from) && (errFrom === undefined || n.from < errFrom))
        errFrom = n.from;
    },
  });
  if (errFrom === undefined && topLevelCount <= 1) return;
  if (errFrom === undefined) {
    // Two expressions side by side: the second one is unexpected.
    let second = 0;
    let seen = 0;
    for (let c = tree.topNode.firstChild; c; c = c.nextSibling)
      if (!c.type.isError && ++seen === 2) second = c.from;
    errFrom = second;
  }
  let idx = code.findIndex((t) => t.start >= errFrom!);
  if (idx < 0) idx = code.length;
  const tok = code[idx];
  const at = tok ? tok.start : end;
  errors.add(
    ErrorStage.Syntax,
    ErrorKey.syntax(at),
    at,
    `unexpected ${describeToken(tok)}${syntaxContext(code, idx, shadow.metricNames)}`,
  );
}

/** Start of the token that ends right before `pos` (e.g. the `[` before a range's duration). */
function makeTokenBefore(code: readonly Token[]): (pos: number) => number {
  return (pos) => {
    // Tokens are ordered and disjoint: the last one ending at or before `pos`.
    let lo = 0;
    let hi = code.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (code[mid]!.end <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? code[lo - 1]!.start : pos;
  };
}
