/**
 * Issue #18 finding 4: deep and long queries Prometheus 2.42 parses (its yacc parser keeps its
 * state in a growing slice; unary minus on a number literal folds into the literal) used to
 * overflow the stack or end in false syntax errors here (lezer's depth and left-associativity
 * cut-offs). Each case states Prometheus's parse: its printed form (`Expr.String()`) or value.
 */
import { describe, expect, it } from 'vitest';
import type { Expr } from '../ast.ts';
import { formatExpr, prettyExpr, PrettyTooLongError } from '../format.ts';
import { exprDepth, QueryTooDeepError, QueryTooLongError } from './limits.ts';
import { ParseError } from './errors.ts';
import { parseExpr } from './parse.ts';

const parens = (n: number, inner = '1'): string => '('.repeat(n) + inner + ')'.repeat(n);
const chain = (n: number, term = 'up', op = '+'): string => Array(n).fill(term).join(op);
const nestedSum = (n: number): string => 'sum('.repeat(n) + 'up' + ')'.repeat(n);

describe('deep and long queries parse as in Prometheus', () => {
  it('10,000 nested parentheses: ParenExprs around the literal', () => {
    const e = parseExpr(parens(10_000));
    expect(e.kind).toBe('ParenExpr');
    expect(exprDepth(e)).toBe(10_001);
    let inner: Expr = e;
    while (inner.kind === 'ParenExpr') inner = inner.expr;
    expect(inner).toMatchObject({
      kind: 'NumberLiteral',
      value: 1,
      pos: { start: 10_000, end: 10_001 },
    });
    expect(formatExpr(e)).toBe(parens(10_000));
  });

  it.each([818, 1_000, 10_000, 40_000])('`up+up+…` with %i terms: one left-deep chain', (n) => {
    const e = parseExpr(chain(n));
    expect(e.kind).toBe('BinaryExpr');
    expect(exprDepth(e)).toBe(n);
    // Left-associative, as Prometheus's `%left ADD SUB`: the right operand is always a selector.
    let node: Expr = e;
    let terms = 1;
    while (node.kind === 'BinaryExpr') {
      expect(node.rhs.kind).toBe('VectorSelector');
      node = node.lhs;
      terms++;
    }
    expect(terms).toBe(n);
    expect(formatExpr(e)).toBe(chain(n, 'up', ' + '));
  });

  it('1,400 and 20,000 nested `sum(`: nested aggregations', () => {
    for (const n of [1_400, 20_000]) {
      const e = parseExpr(nestedSum(n));
      expect(e.kind).toBe('AggregateExpr');
      expect(exprDepth(e)).toBe(n + 1);
      expect(formatExpr(e)).toBe(nestedSum(n));
    }
  });

  it('20,000 `-` before a number fold into the literal (Prometheus: NumberLiteral 1)', () => {
    const even = parseExpr('-'.repeat(20_000) + '1');
    expect(even).toEqual({ kind: 'NumberLiteral', value: 1, pos: { start: 0, end: 20_001 } });
    const odd = parseExpr('-'.repeat(20_001) + '1');
    expect(odd).toMatchObject({ kind: 'NumberLiteral', value: -1 });
  });

  it('20,000 `-` before a selector stay unary expressions (Prometheus folds literals only)', () => {
    const e = parseExpr('-'.repeat(20_000) + 'up');
    expect(e.kind).toBe('UnaryExpr');
    expect(exprDepth(e)).toBe(20_001);
    expect(formatExpr(e)).toBe('-'.repeat(20_000) + 'up');
  });

  it('a right-associative `^` chain of 20,000 terms nests to the right', () => {
    const e = parseExpr(chain(20_000, '2', '^'));
    expect(e.kind).toBe('BinaryExpr');
    if (e.kind !== 'BinaryExpr') return;
    expect(e.lhs.kind).toBe('NumberLiteral');
    expect(e.rhs.kind).toBe('BinaryExpr');
    expect(exprDepth(e)).toBe(20_000);
  });

  it('type errors deep inside are still found (the checker is iterative too)', () => {
    const q = parens(10_000, 'up[5m] + 1');
    expect(() => parseExpr(q)).toThrow(ParseError);
    expect(() => parseExpr(q)).toThrow(
      'binary expression must contain only scalar and instant vector types',
    );
  });

  it('a syntax error at the end of a long query is reported where it is', () => {
    const q = `${chain(5_000)} +`;
    expect(() => parseExpr(q)).toThrow(`1:${q.length + 1}: parse error: unexpected end of input`);
    const unclosed = '('.repeat(3_000) + '1' + ')'.repeat(2_999);
    expect(() => parseExpr(unclosed)).toThrow('unclosed left parenthesis');
  });

  it('30,000 misplaced tokens report the first one (each used to rescan the query: 283 s)', () => {
    expect(() => parseExpr(chain(30_000, '5m'))).toThrow(
      '1:1: parse error: unexpected duration "5m"',
    );
    expect(() => parseExpr(chain(30_000, '0x'))).toThrow(
      '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax',
    );
  });

  it('pretty printing stays linear per line and refuses quadratic output', () => {
    // Prometheus splits each `+` over lines, indenting the left operand one level deeper.
    const lines = prettyExpr(parseExpr(chain(1_000))).split('\n');
    // (the innermost terms fit in 100 bytes and stay on one line, as in Prometheus).
    expect(lines.length).toBeGreaterThan(1_900);
    expect(lines[0]).toMatch(/^ {1900,}up \+ up/);
    expect(lines.at(-1)).toBe('  up');
    // Every nesting level indents the whole body: 10,000 levels would print ~100M characters.
    expect(() => prettyExpr(parseExpr(parens(10_000, chain(60))))).toThrow(PrettyTooLongError);
  });
});

describe('query size limits', () => {
  it('QUERY_MAX_LENGTH counts UTF-8 bytes and is checked before parsing', () => {
    const limits = { maxLength: 100, maxDepth: 50_000 };
    expect(parseExpr(chain(33), limits).kind).toBe('BinaryExpr'); // 98 bytes
    const err = (() => {
      try {
        parseExpr(`x{a="${'é'.repeat(60)}"}`, limits); // 67 characters, 127 bytes
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(QueryTooLongError);
    expect((err as Error).message).toBe(
      'query too long: 127 bytes exceeds the limit of 100 bytes (QUERY_MAX_LENGTH)',
    );
    // The default (128 KiB) admits a 40,000-term sum and refuses a 200 KB one.
    expect(() => parseExpr(chain(40_000))).not.toThrow();
    expect(() => parseExpr(chain(70_000))).toThrow(QueryTooLongError);
  });

  it('QUERY_MAX_DEPTH bounds the nesting of the parsed query', () => {
    const limits = { maxLength: 1 << 20, maxDepth: 1_000 };
    expect(parseExpr(parens(999), limits).kind).toBe('ParenExpr');
    expect(() => parseExpr(parens(1_000), limits)).toThrow(
      'query nesting too deep: 1001 levels exceeds the limit of 1000 (QUERY_MAX_DEPTH)',
    );
    expect(() => parseExpr(chain(1_001), limits)).toThrow(QueryTooDeepError);
    // Folded literals are not nesting: 20,000 signs make a depth-1 query.
    expect(parseExpr('-'.repeat(20_000) + '1', limits).kind).toBe('NumberLiteral');
    // The default (50,000) refuses 60,000 parentheses.
    expect(() => parseExpr(parens(60_000))).toThrow(QueryTooDeepError);
  });
});
