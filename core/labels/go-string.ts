/**
 * @module core/labels/go-string — Go string literals as Prometheus prints and reads them:
 * `strconv.Quote` (matcher and label printing) and the PromQL lexer's quoted/raw strings.
 */
import { BadDataError } from '../errors.ts';
import { isGoPrint as isPrint } from './re2-unicode.ts';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Go's `strconv.Quote` (what `%q` prints): printable runes stay, others become escapes. */
export function goQuote(s: string): string {
  return quoteWith(s, '"');
}

/** Go's `strconv.QuoteRune` (what `%q` prints for a rune): `'a'`, `'\''`, `'\n'`. */
export function goQuoteRune(ch: string): string {
  return quoteWith(String.fromCodePoint(ch.codePointAt(0)!), "'");
}

/** Go's `%#U`: `U+0071 'q'`, or just `U+000A` for a non-printable rune. */
export function goUnicodeFormat(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

function quoteWith(s: string, quote: '"' | "'"): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote) {
      out += '\\' + quote;
      continue;
    }
    switch (cp) {
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x07:
        out += '\\a';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x0b:
        out += '\\v';
        continue;
    }
    if (cp < 0x80 && isPrint(cp)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    // A lone surrogate cannot come from UTF-8; Go would see U+FFFD.
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (isPrint(cp)) out += ch;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

/** A malformed string literal; `offset` is the 0-based index of the problem in the source. */
export class StringLiteralError extends BadDataError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** A string literal read from `src` at `start`: its value and the index just past it. */
export interface ReadString {
  readonly value: string;
  readonly end: number;
}

/**
 * Reads a PromQL string literal at `start` ('…', "…" with Go escapes, or `…` raw), as the
 * Prometheus 2.42 lexer and strutil.Unquote do, with the lexer's messages; like the lexer, errors
 * point at the opening quote. Escapes that denote raw bytes ≥ 0x80 (`\xff`, `\377`) would make
 * invalid UTF-8, which a JS string cannot hold: those are refused. Throws StringLiteralError.
 */
export function readGoString(src: string, start: number): ReadString {
  const quote = src[start];
  const fail = (msg: string): never => {
    throw new StringLiteralError(msg, start);
  };
  if (quote === '`') {
    const end = src.indexOf('`', start + 1);
    if (end < 0) fail('unterminated raw string');
    return { value: src.slice(start + 1, end), end: end + 1 };
  }
  if (quote !== '"' && quote !== "'") return fail('expected a string literal');
  let out = '';
  let i = start + 1;
  for (;;) {
    if (i >= src.length || src[i] === '\n') return fail('unterminated quoted string');
    const c = src[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c !== '\\') {
      const cp = src.codePointAt(i)!;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const at = i;
    const esc = src[i + 1];
    i += 2;
    switch (esc) {
      case 'a':
        out += '\x07';
        continue;
      case 'b':
        out += '\b';
        continue;
      case 'f':
        out += '\f';
        continue;
      case 'n':
        out += '\n';
        continue;
      case 'r':
        out += '\r';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'v':
        out += '\v';
        continue;
      case '\\':
        out += '\\';
        continue;
      case quote:
        out += quote;
        continue;
      case undefined:
        return fail('escape sequence not terminated');
    }
    let digits: number;
    let base: number;
    let max = 0x10ffff;
    if (esc >= '0' && esc <= '7') {
      [digits, base, max] = [3, 8, 255];
      i--;
    } else if (esc === 'x') [digits, base, max] = [2, 16, 255];
    else if (esc === 'u') [digits, base] = [4, 16];
    else if (esc === 'U') [digits, base] = [8, 16];
    else return fail(`unknown escape sequence ${goUnicodeFormat(src.slice(at + 1))}`);
    let v = 0;
    for (let k = 0; k < digits; k++, i++) {
      const d = i < src.length ? parseInt(src[i]!, 16) : NaN;
      if (!(d < base)) {
        if (i >= src.length) return fail('escape sequence not terminated');
        return fail(`illegal character ${goUnicodeFormat(src.slice(i))} in escape sequence`);
      }
      v = v * base + d;
    }
    if (v > max || (v >= 0xd800 && v < 0xe000))
      return fail('escape sequence is an invalid Unicode code point');
    if (max === 255 && v >= 0x80) {
      return fail(
        `escape ${src.slice(at, i)} denotes a raw byte, not valid UTF-8 on its own: not supported`,
      );
    }
    out += String.fromCodePoint(v);
  }
}
