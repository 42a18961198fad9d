import { describe, expect, it } from 'vitest';
import { describeToken, lex } from './lexer.ts';

const types = (q: string): string[] => lex(q).tokens.map((t) => `${t.type}:${t.text}`);

describe('lexer (Prometheus lex.go rules)', () => {
  it('cuts a typical query', () => {
    expect(types('sum by (job) (rate(foo{a=~"b"}[5m])) > bool 1')).toEqual([
      'SUM:sum',
      'BY:by',
      'LEFT_PAREN:(',
      'IDENTIFIER:job',
      'RIGHT_PAREN:)',
      'LEFT_PAREN:(',
      'IDENTIFIER:rate',
      'LEFT_PAREN:(',
      'IDENTIFIER:foo',
      'LEFT_BRACE:{',
      'IDENTIFIER:a',
      'EQL_REGEX:=~',
      'STRING:"b"',
      'RIGHT_BRACE:}',
      'LEFT_BRACKET:[',
      'DURATION:5m',
      'RIGHT_BRACKET:]',
      'RIGHT_PAREN:)',
      'RIGHT_PAREN:)',
      'GTR:>',
      'BOOL:bool',
      'NUMBER:1',
    ]);
  });

  it('reads keywords case-insensitively, inside braces everything is an identifier', () => {
    expect(types('OFFSET Inf nan foo:bar {on="x"}')).toEqual([
      'OFFSET:OFFSET',
      'NUMBER:Inf',
      'NUMBER:nan',
      'METRIC_IDENTIFIER:foo:bar',
      'LEFT_BRACE:{',
      'IDENTIFIER:on',
      'EQL:=',
      'STRING:"x"',
      'RIGHT_BRACE:}',
    ]);
  });

  it('splits numbers where Go does and keeps comments', () => {
    expect(types('1.2.3 # c')).toEqual(['NUMBER:1.2', 'NUMBER:.3', 'COMMENT:# c']);
    expect(types('0x1F 5m')).toEqual(['NUMBER:0x1F', 'DURATION:5m']);
    expect(types('foo[5m x]')).toEqual([
      'IDENTIFIER:foo',
      'LEFT_BRACKET:[',
      'DURATION:5m',
      'COLON:x',
      'RIGHT_BRACKET:]',
    ]);
  });

  it.each([
    ['foo{', 'unexpected end of input inside braces', 4],
    ['(foo', 'unclosed left parenthesis', 4],
    ['foo[5m', 'unclosed left bracket', 6],
    ['foo)', "unexpected right parenthesis ')'", 4],
    ['foo[5]', 'missing unit character in duration', 4],
    ['foo[5mx]', 'bad duration syntax: "5mx"', 4],
    ['1a', 'bad number or duration syntax: "1"', 0],
    ['foo =~ bar', "unexpected character after '=': '~'", 4],
    ['foo ! bar', "unexpected character after '!': ' '", 4],
    ['"abc', 'unterminated quoted string', 0],
    ['`abc', 'unterminated raw string', 0],
    ['"\\q"', "unknown escape sequence U+0071 'q'", 0],
    ['"\\xZZ"', "illegal character U+005A 'Z' in escape sequence", 0],
    ['"\\uD800"', 'escape sequence is an invalid Unicode code point', 0],
    ['foo[5m:1m:]', "unexpected colon ':'", 9],
    ['foo $', "unexpected character: '$'", 4],
    ['{a:b="c"}', "unexpected character inside braces: ':'", 2],
    ['foo[[5m]]', 'missing unit character in duration', 4],
    ['foo[5m:[', "unexpected left bracket '['", 7],
  ])('%j → %s', (query, message, start) => {
    expect(lex(query).error).toMatchObject({ message, start });
  });

  it('describes tokens as Prometheus does', () => {
    const [id, kw, op, agg, num, str] = lex('foo by + sum 1 "a long string!"').tokens;
    expect(describeToken(id)).toBe('identifier "foo"');
    expect(describeToken(kw)).toBe('<by>');
    expect(describeToken(op)).toBe('<op:+>');
    expect(describeToken(agg)).toBe('<aggr:sum>');
    expect(describeToken(num)).toBe('number "1"');
    expect(describeToken(str)).toBe('string "\\"a long st"...');
    expect(describeToken(undefined)).toBe('end of input');
  });
});
