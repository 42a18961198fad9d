/**
 * @module core/gocompat/quote — Go's string and rune quoting as Prometheus prints it:
 * `strconv.Quote` (`%q` of a string: label values, matchers, error texts), `strconv.QuoteRune`
 * (`%q` of a rune: lexer errors) and `%#U`. Printability is Go 1.19's `unicode.IsPrint` over its
 * own Unicode 13.0 tables (core/regexp/unicode), not this JS engine's newer Unicode data.
 */
import { isGoPrint } from '../regexp/unicode.ts';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** One rune inside a quoted literal, as Go's appendEscapedRune writes it (not ASCII-only). */
function escapeRune(cp: number, quote: number): string {
  if (cp === quote || cp === 0x5c) return `\\${String.fromCharCode(cp)}`;
  // Printable ASCII first: the common case, without a table lookup.
  if (cp >= 0x20 && cp < 0x7f) return String.fromCharCode(cp);
  if (isGoPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** Go's `strconv.Quote` (what `%q` prints): printable runes stay, others become escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    // A lone surrogate cannot come from UTF-8; Go would see U+FFFD.
    out += cp >= 0xd800 && cp <= 0xdfff ? '\\ufffd' : escapeRune(cp, 0x22);
  }
  return `${out}"`;
}

/**
 * Go's `strconv.QuoteRune` (`%q` of a rune): `'a'`, `'\''`, `'\n'`. A value that is no valid
 * rune (-1 for end of input, a surrogate) prints as U+FFFD, as Go does.
 */
export function goQuoteRune(cp: number): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd;
  return `'${escapeRune(cp, 0x27)}'`;
}

/** Go's `%#U` of a rune: `U+0071 'q'`, or just `U+000A` when it is not printable. */
export function goUnicodeRune(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp >= 0 && cp <= 0x10ffff && isGoPrint(cp)) return `${code} '${String.fromCodePoint(cp)}'`;
  return code;
}
