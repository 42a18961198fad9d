import { describe, expect, it } from 'vitest';
import { formatExpr, prettyExpr } from './format.ts';
import { parseExpr } from './parser/parse.ts';

describe('formatExpr (Expr.String)', () => {
  it.each([
    ['foo', 'foo'],
    ['foo{z="1",a=~"2"}', 'foo{a=~"2",z="1"}'],
    ['{__name__="foo"}', '{__name__="foo"}'],
    ['foo offset -90m', 'foo offset -1h30m'],
    ['foo @ 1.0005', 'foo @ 1.001'],
    ['foo @ end() offset 5m', 'foo @ end() offset 5m'],
    ['foo offset 5m @ start()', 'foo @ start() offset 5m'],
    ['foo[14d] offset 1w', 'foo[2w] offset 1w'],
    ['rate(foo[5m])[1h:]', 'rate(foo[5m])[1h:]'],
    ['foo[1h:60s] @ 3 offset 1s', 'foo[1h:1m] @ 3.000 offset 1s'],
    ['sum(x) by (b, a)', 'sum by (b, a) (x)'],
    ['sum by () (x)', 'sum(x)'],
    ['sum without () (x)', 'sum without () (x)'],
    ['topk(5, x)', 'topk(5, x)'],
    ['a+on(x)group_left(y)b', 'a + on (x) group_left (y) b'],
    ['a+ignoring()group_left b', 'a + b'],
    ['a+on()b', 'a + on () b'],
    ['a>bool 1', 'a > bool 1'],
    ['1 + 1', '1 + 1'],
    ['-1^2', '-1 ^ 2'],
    ['(-1)^2', '(-1) ^ 2'],
    ['- - 1', '1'],
    ['-(foo)', '-(foo)'],
    ['1e6', '1e+06'],
    ['0x10', '16'],
    ["'a\"b'", '"a\\"b"'],
    ['`\\d`', '"\\\\d"'],
    ['"\\u00a0"', '"\\u00a0"'],
    ['label_join(x,"a",",","b")', 'label_join(x, "a", ",", "b")'],
    ['a atan2 b', 'a atan2 b'],
    ['a AND b', 'a and b'],
  ])('%j → %j', (query, text) => {
    const expr = parseExpr(query);
    expect(formatExpr(expr)).toBe(text);
    expect(formatExpr(parseExpr(text))).toBe(text);
  });

  it('wraps StepInvariantExpr transparently', () => {
    const inner = parseExpr('foo @ 5');
    expect(formatExpr({ kind: 'StepInvariantExpr', expr: inner, pos: inner.pos })).toBe(
      'foo @ 5.000',
    );
  });
});

describe('prettyExpr (Expr.Pretty, used by format_query)', () => {
  it('keeps short expressions on one line', () => {
    expect(prettyExpr(parseExpr('sum by (a) (rate(x[5m]))'))).toBe('sum by (a) (rate(x[5m]))');
  });

  it('splits past 100 bytes, indenting two spaces per level', () => {
    const q =
      'sum by (job) (rate(http_requests_total{job="apiserver", code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{job="apiserver"}[5m]))';
    expect(prettyExpr(parseExpr(q))).toBe(
      [
        '  sum by (job) (rate(http_requests_total{code=~"5..",job="apiserver"}[5m]))',
        '/',
        '  sum by (job) (rate(http_requests_total{job="apiserver"}[5m]))',
      ].join('\n'),
    );
  });
});
