import { describe, expect, it } from 'vitest';
import { goQuoteRune, goUnicodeRune, unquote, UnquoteError } from './strings.ts';

describe('unquote (strutil.Unquote)', () => {
  it.each([
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['`a\\nb`', 'a\\nb'],
    ['"a\\nb\\tc"', 'a\nb\tc'],
    ['"\\a\\b\\f\\v\\r\\\\"', '\x07\b\f\v\r\\'],
    ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
    ['"\\xc3\\xa9"', 'é'],
    ['"\\303\\251"', 'é'],
    ['"\\""', '"'],
    ["'\\''", "'"],
    ["'\"'", '"'],
    ['"é😀"', 'é😀'],
  ])('%s → %j', (input, out) => {
    expect(unquote(input)).toBe(out);
  });

  it.each([
    '"',
    '"abc',
    '"a"b"',
    "'\\\"'",
    '"\\q"',
    '"\\x4"',
    '"\\400"',
    '"a\nb"',
    '`a`b`',
    '"\\U00110000"',
  ])('rejects %j', (input) => {
    expect(() => unquote(input)).toThrow(UnquoteError);
  });
});

describe('Go rune formatting', () => {
  it('quotes runes like %q', () => {
    expect(goQuoteRune(0x29)).toBe("')'");
    expect(goQuoteRune(0x27)).toBe("'\\''");
    expect(goQuoteRune(0x0a)).toBe("'\\n'");
    expect(goQuoteRune(0x00)).toBe("'\\x00'");
    expect(goQuoteRune(0xa0)).toBe("'\\u00a0'");
    expect(goQuoteRune(0xe9)).toBe("'é'");
  });

  it('prints %#U', () => {
    expect(goUnicodeRune(0x71)).toBe("U+0071 'q'");
    expect(goUnicodeRune(0x0a)).toBe('U+000A');
    expect(goUnicodeRune(0x1f600)).toBe("U+1F600 '😀'");
  });
});
