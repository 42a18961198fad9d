import { describe, expect, it } from 'vitest';
import { goQuote, goQuoteRune, goUnicodeRune } from './quote.ts';

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

  it("uses Go 1.19's Unicode 13.0 tables: U+0870 (assigned in Unicode 14) is not printable", () => {
    expect(goQuoteRune(0x870)).toBe("'\\u0870'");
    expect(goUnicodeRune(0x870)).toBe('U+0870');
    expect(goQuoteRune(-1)).toBe("'\ufffd'");
  });
});

describe('goQuote (strconv.Quote)', () => {
  it('escapes like Go', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\n\t\x07\x7f\x00')).toBe('"\\n\\t\\a\\x7f\\x00"');
    expect(goQuote('é😀\u00ad\u0870\u{E0001}')).toBe('"é😀\\u00ad\\u0870\\U000e0001"');
    expect(goQuote("it's")).toBe('"it\'s"');
  });
});
