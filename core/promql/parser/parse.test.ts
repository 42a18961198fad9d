import { describe, expect, it } from 'vitest';
import type { Expr } from '../ast.ts';
import { BadDataError } from '../../errors.ts';
import { parseExpr } from './parse.ts';

/** Plain-object view of an AST: matchers as their printed form, so shapes compare easily. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object') {
    if (v.constructor?.name === 'Matcher') return String(v);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  }
  return v;
}

function fails(query: string): string {
  try {
    parseExpr(query);
  } catch (e) {
    expect(e).toBeInstanceOf(BadDataError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(query)} to fail`);
}

describe('parseExpr AST shapes', () => {
  const cases: [string, unknown][] = [
    [
      'foo',
      {
        kind: 'VectorSelector',
        name: 'foo',
        matchers: ['__name__="foo"'],
        offset: 0,
        pos: { start: 0, end: 3 },
      },
    ],
    [
      'foo{a="b", c!~"d"}',
      {
        kind: 'VectorSelector',
        name: 'foo',
        matchers: ['a="b"', 'c!~"d"', '__name__="foo"'],
        pos: { start: 0, end: 18 },
      },
    ],
    ['{__name__="x"}', { kind: 'VectorSelector', name: undefined, matchers: ['__name__="x"'] }],
    ['sum', { kind: 'VectorSelector', name: 'sum' }],
    ['offset', { kind: 'VectorSelector', name: 'offset' }],
    ['foo offset 5m', { kind: 'VectorSelector', offset: 300_000, pos: { start: 0, end: 13 } }],
    ['foo offset -1h30m', { kind: 'VectorSelector', offset: -5_400_000 }],
    ['foo @ 1.0005', { kind: 'VectorSelector', timestamp: 1001 }],
    ['foo @ -1.0005', { kind: 'VectorSelector', timestamp: -1001 }],
    ['foo @ start()', { kind: 'VectorSelector', startOrEnd: 'start' }],
    ['foo @ end() offset 1m', { kind: 'VectorSelector', startOrEnd: 'end', offset: 60_000 }],
    [
      'foo[5m] offset 1m @ 10',
      {
        kind: 'MatrixSelector',
        range: 300_000,
        vectorSelector: { kind: 'VectorSelector', name: 'foo', offset: 60_000, timestamp: 10_000 },
        pos: { start: 0, end: 22 },
      },
    ],
    ['foo[5m:]', { kind: 'SubqueryExpr', range: 300_000, step: 0, offset: 0 }],
    [
      'foo[1h:1m] @ 5 offset 10s',
      { kind: 'SubqueryExpr', range: 3_600_000, step: 60_000, offset: 10_000, timestamp: 5000 },
    ],
    ['foo[5m x]', { kind: 'SubqueryExpr', range: 300_000, step: 0 }],
    ['1', { kind: 'NumberLiteral', value: 1 }],
    ['-1', { kind: 'NumberLiteral', value: -1, pos: { start: 0, end: 2 } }],
    ['- 1', { kind: 'NumberLiteral', value: -1, pos: { start: 0, end: 3 } }],
    ['--1', { kind: 'NumberLiteral', value: 1 }],
    [
      '-(1)',
      {
        kind: 'UnaryExpr',
        op: '-',
        expr: { kind: 'ParenExpr', expr: { kind: 'NumberLiteral', value: 1 } },
      },
    ],
    ['0x1F', { kind: 'NumberLiteral', value: 31 }],
    ['010', { kind: 'NumberLiteral', value: 8 }],
    ['09', { kind: 'NumberLiteral', value: 9 }],
    ['1.5e3', { kind: 'NumberLiteral', value: 1500 }],
    ['.5', { kind: 'NumberLiteral', value: 0.5 }],
    ['Inf', { kind: 'NumberLiteral', value: Infinity }],
    ['-inf', { kind: 'NumberLiteral', value: -Infinity }],
    ['"a\\x41\\101\\u0041\\U00000041\\n"', { kind: 'StringLiteral', value: 'aAAAA\n' }],
    ["'it\\'s'", { kind: 'StringLiteral', value: "it's" }],
    ['`a\\n`', { kind: 'StringLiteral', value: 'a\\n' }],
    ['"\\xc3\\xa9"', { kind: 'StringLiteral', value: 'é' }],
    [
      '-1 ^ 2',
      {
        kind: 'UnaryExpr',
        op: '-',
        expr: { kind: 'BinaryExpr', op: '^', lhs: { value: 1 }, rhs: { value: 2 } },
        pos: { start: 0, end: 6 },
      },
    ],
    [
      '2 ^ 3 ^ 2',
      {
        kind: 'BinaryExpr',
        op: '^',
        lhs: { value: 2 },
        rhs: { kind: 'BinaryExpr', op: '^', lhs: { value: 3 }, rhs: { value: 2 } },
      },
    ],
    [
      '1 + 2 * 3',
      { kind: 'BinaryExpr', op: '+', lhs: { value: 1 }, rhs: { kind: 'BinaryExpr', op: '*' } },
    ],
    [
      'a or b and c unless d',
      {
        kind: 'BinaryExpr',
        op: 'or',
        rhs: { kind: 'BinaryExpr', op: 'unless', lhs: { kind: 'BinaryExpr', op: 'and' } },
        matching: { card: 'many-to-many', matchingLabels: [], on: false, include: [] },
      },
    ],
    [
      'a + b offset 1m',
      {
        kind: 'BinaryExpr',
        op: '+',
        lhs: { name: 'a', offset: 0 },
        rhs: { name: 'b', offset: 60_000 },
      },
    ],
    [
      '-a @ 5',
      { kind: 'UnaryExpr', op: '-', expr: { kind: 'VectorSelector', name: 'a', timestamp: 5000 } },
    ],
    [
      'max_over_time((-a)[5m:])',
      { kind: 'Call', args: [{ kind: 'SubqueryExpr', expr: { kind: 'ParenExpr' } }] },
    ],
    ['a + b @ 5', { kind: 'BinaryExpr', rhs: { kind: 'VectorSelector', timestamp: 5000 } }],
    ['1 + 2', { kind: 'BinaryExpr', matching: undefined }],
    ['foo + 1', { kind: 'BinaryExpr', matching: undefined }],
    [
      'a * on(x, y) group_left(z) b',
      {
        kind: 'BinaryExpr',
        op: '*',
        matching: { card: 'many-to-one', on: true, matchingLabels: ['x', 'y'], include: ['z'] },
        returnBool: false,
      },
    ],
    [
      'a / ignoring(x) group_right b',
      { matching: { card: 'one-to-many', on: false, matchingLabels: ['x'], include: [] } },
    ],
    [
      'a == bool b',
      { kind: 'BinaryExpr', op: '==', returnBool: true, matching: { card: 'one-to-one' } },
    ],
    ['a atan2 b', { kind: 'BinaryExpr', op: 'atan2' }],
    [
      'sum by (job) (rate(x[5m]))',
      {
        kind: 'AggregateExpr',
        op: 'sum',
        grouping: ['job'],
        without: false,
        param: undefined,
        expr: {
          kind: 'Call',
          func: { name: 'rate' },
          args: [{ kind: 'MatrixSelector', range: 300_000 }],
        },
      },
    ],
    [
      'SUM(x) WITHOUT (a, b)',
      { kind: 'AggregateExpr', op: 'sum', without: true, grouping: ['a', 'b'] },
    ],
    ['topk(3, x)', { kind: 'AggregateExpr', op: 'topk', param: { value: 3 }, expr: { name: 'x' } }],
    [
      'count_values("v", x)',
      { kind: 'AggregateExpr', op: 'count_values', param: { kind: 'StringLiteral', value: 'v' } },
    ],
    [
      'min by (bool, on, offset) (x)',
      { kind: 'AggregateExpr', grouping: ['bool', 'on', 'offset'] },
    ],
    [
      'label_join(x, "d", ",", "a", "b", "c")',
      { kind: 'Call', func: { name: 'label_join', variadic: -1 }, args: { length: 6 } },
    ],
    ['round(x)', { kind: 'Call', func: { name: 'round' }, args: { length: 1 } }],
    ['time()', { kind: 'Call', func: { name: 'time', returnType: 'scalar' }, args: [] }],
    ['histogram_count(x)', { kind: 'Call', func: { name: 'histogram_count' } }],
    [
      '((x))',
      {
        kind: 'ParenExpr',
        expr: { kind: 'ParenExpr', expr: { name: 'x' } },
        pos: { start: 0, end: 5 },
      },
    ],
    [
      'x # comment\n + y',
      { kind: 'BinaryExpr', op: '+', rhs: { name: 'y', pos: { start: 15, end: 16 } } },
    ],
  ];

  it.each(cases)('%j', (query, expected) => {
    expect(shape(parseExpr(query))).toMatchObject(expected as object);
  });

  it('never produces StepInvariantExpr (that is the engine preprocessing)', () => {
    expect(parseExpr('foo @ 5').kind).toBe('VectorSelector');
  });

  it('reports positions in bytes, as Prometheus does', () => {
    const e = parseExpr('count_values("é", x) + y');
    if (e.kind !== 'BinaryExpr') throw new Error('binary expected');
    expect(e.rhs.pos).toEqual({ start: 24, end: 25 });
    expect(fails('"é" + x{a=~"("}')).toBe(
      '1:10: parse error: error parsing regexp: missing closing ): `^(?:()$`',
    );
  });
});

describe('parseExpr errors (Prometheus 2.42 texts)', () => {
  const cases: [string, string][] = [
    ['', '1:1: parse error: no expression found in input'],
    ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{a=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
    [
      'rate(foo)',
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
    [
      'foo[5m] + 1',
      '1:1: parse error: binary expression must contain only scalar and instant vector types',
    ],
    ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
    ['1 and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
    ['foo and on(a) group_left bar', '1:1: parse error: no grouping allowed for "and" operation'],
    [
      'foo * on(a) group_left(a) bar',
      '1:5: parse error: label "a" must not occur in ON and GROUP clause at once',
    ],
    [
      'sum(foo[5m])',
      '1:5: parse error: expected type instant vector in aggregation expression, got range vector',
    ],
    ['sum()', '1:1: parse error: no arguments for aggregate expression provided'],
    [
      'topk(foo)',
      '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
    ],
    [
      'count_values(1, foo)',
      '1:14: parse error: expected type string in aggregation parameter, got scalar',
    ],
    [
      'topk("a", foo)',
      '1:6: parse error: expected type scalar in aggregation parameter, got string',
    ],
    ['time(1)', '1:1: parse error: expected 0 argument(s) in call to "time", got 1'],
    ['round()', '1:1: parse error: expected at least 1 argument(s) in call to "round", got 0'],
    [
      'round(x, 1, 2)',
      '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3',
    ],
    ['foo offset 1m offset 1m', '1:1: parse error: offset may not be set multiple times'],
    ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
    ['foo @ Inf', '1:1: parse error: timestamp out of bounds for @ modifier: +Inf'],
    ['sum(x)[5m]', '1:7: parse error: ranges only allowed for vector selectors'],
    ['foo offset 1m [5m]', '1:15: parse error: no offset modifiers allowed before range'],
    [
      '"a"[5m:]',
      '1:1: parse error: subquery is only allowed on instant vector, got string instead',
    ],
    [
      'foo[5m][5m:]',
      '1:1: parse error: subquery is only allowed on instant vector, got matrix instead',
    ],
    ['foo[0s]', '1:5: parse error: duration must be greater than 0'],
    ['foo[5m1h]', '1:5: parse error: not a valid duration string: "5m1h"'],
    ['foo[300y]', '1:5: parse error: duration out of range'],
    ['foo(bar)', '1:1: parse error: unknown function with name "foo"'],
    ['rate(foo[5m],)', '1:13: parse error: trailing commas not allowed in function call args'],
    ['foo{a=~"("}', '1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
    ['1 < 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    [
      '-"a"',
      '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
    ],
    [
      'sum(x) offset 1m',
      '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    ],
    [
      '1e',
      '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax',
    ],
    [
      '1e400',
      '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range',
    ],
    ['"\\q"', "1:1: parse error: unknown escape sequence U+0071 'q'"],
    ['sum(foo', '1:8: parse error: unclosed left parenthesis'],
    ['foo{a="b"', '1:10: parse error: unexpected end of input inside braces'],
    ['foo)', "1:5: parse error: unexpected right parenthesis ')'"],
    ['foo bar', '1:5: parse error: unexpected identifier "bar"'],
    ['foo offset 5', '1:12: parse error: unexpected number "5" in offset, expected duration'],
    [
      'sum by (nan) (x)',
      '1:9: parse error: unexpected number "nan" in grouping opts, expected label',
    ],
    ['x +\n  y{a=~"("}', '2:5: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
  ];

  it.each(cases)('%j', (query, message) => {
    expect(fails(query)).toBe(message);
  });
});
