import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { SelectorParseError, parseSeriesSelector } from './selector.ts';

const str = (s: string): string[] => parseSeriesSelector(s).map(String);

describe('parseSeriesSelector', () => {
  it('parses a bare metric name', () => {
    expect(str('up')).toEqual(['__name__="up"']);
    expect(str('  ns:rule:rate5m ')).toEqual(['__name__="ns:rule:rate5m"']);
  });

  it('puts brace matchers first and the name matcher last, as Prometheus does', () => {
    expect(str('up{job="api",instance!~"10\\\\..*"}')).toEqual([
      'job="api"',
      'instance!~"10\\\\..*"',
      '__name__="up"',
    ]);
    expect(str('{a=~"x", b!="y",}')).toEqual(['a=~"x"', 'b!="y"']);
  });

  it('reads the three string forms with Go escapes', () => {
    expect(parseSeriesSelector(`{a="x\\ty\\u00e9\\x41\\101\\""}`)[0]!.value).toBe('x\tyéAA"');
    expect(parseSeriesSelector(`{a='it\\'s'}`)[0]!.value).toBe("it's");
    expect(parseSeriesSelector('{a=`raw\\d+\n`}')[0]!.value).toBe('raw\\d+\n');
  });

  it('requires a matcher that does not match the empty string', () => {
    for (const s of ['{}', '{a=""}', '{a=~".*"}', '{a!="x"}']) {
      expect(() => parseSeriesSelector(s)).toThrow(
        '1:1: parse error: vector selector must contain at least one non-empty matcher',
      );
    }
    expect(str('{a!~".*"}')).toEqual(['a!~".*"']);
    expect(str('{a=~".+"}')).toEqual(['a=~".+"']);
  });

  it('reports errors with Prometheus positions and texts', () => {
    expect(() => parseSeriesSelector('foo{a=b}')).toThrow(
      '1:7: parse error: unexpected identifier "b" in label matching, expected string',
    );
    expect(() => parseSeriesSelector('foo{a="b"')).toThrow(
      '1:10: parse error: unexpected end of input inside braces',
    );
    expect(() => parseSeriesSelector('foo{a="\\q"}')).toThrow(
      "1:7: parse error: unknown escape sequence U+0071 'q'",
    );
    expect(() => parseSeriesSelector('\n  foo bar')).toThrow(
      '2:7: parse error: unexpected identifier "bar"',
    );
    expect(() => parseSeriesSelector('{a=~"(x"}')).toThrow(
      '1:2: parse error: error parsing regexp: missing closing ): `^(?:(x)$`',
    );
    expect(() => parseSeriesSelector('on')).toThrow('1:1: parse error: unexpected <on>');
    const err = (() => {
      try {
        parseSeriesSelector('x{é=""}');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SelectorParseError);
    expect(err).toBeInstanceOf(BadDataError);
    expect((err as SelectorParseError).offset).toBe(2);
  });

  it('refuses escapes that would make invalid UTF-8, saying so', () => {
    expect(() => parseSeriesSelector('{a="\\xff"}')).toThrow(/not supported/);
  });
});
