/**
 * @module core/gocompat/unquote — Go string literals read as Prometheus reads them:
 * `readGoString`, the PromQL lexer's rules for '…', "…" and `…` literals with the lexer's error
 * texts (for selectors parsed outside the PromQL parser), and `goUnquote`, util/strutil.Unquote
 * (Go's strconv.Unquote that also takes single-quoted strings) on a literal the lexer accepted.
 */
import { BadDataError } from '../errors.ts';
import { goUnicodeRune } from './quote.ts';

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
    else return fail(`unknown escape sequence ${goUnicodeRune(src.codePointAt(at + 1)!)}`);
    let v = 0;
    for (let k = 0; k < digits; k++, i++) {
      const d = i < src.length ? parseInt(src[i]!, 16) : NaN;
      if (!(d < base)) {
        if (i >= src.length) return fail('escape sequence not terminated');
        return fail(`illegal character ${goUnicodeRune(src.codePointAt(i)!)} in escape sequence`);
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

const UTF8 = new TextDecoder('utf-8');
const UTF8_ENC = new TextEncoder();

/** Thrown by `unquote` for a malformed literal; Go's strconv.ErrSyntax text. */
export class UnquoteError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
};

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Unquotes a PromQL string literal including its quotes. `\x` and octal escapes produce raw
 * bytes (as in Go); the result is decoded as UTF-8, so byte sequences that are not valid UTF-8
 * become U+FFFD (a JS string cannot hold them).
 */
export function goUnquote(s: string): string {
  const n = s.length;
  if (n < 2) throw new UnquoteError();
  const quote = s[0];
  if (quote !== s[n - 1]) throw new UnquoteError();
  const body = s.slice(1, n - 1);
  if (quote === '`') {
    if (body.includes('`')) throw new UnquoteError();
    return body;
  }
  if (quote !== '"' && quote !== "'") throw new UnquoteError();
  if (body.includes('\n')) throw new UnquoteError();
  if (!body.includes('\\') && !body.includes(quote)) return body;

  // Bytes so that \x and octal escapes can build multi-byte UTF-8 sequences as in Go.
  const bytes: number[] = [];
  const pushCodePoint = (cp: number): void => {
    for (const b of UTF8_ENC.encode(String.fromCodePoint(cp))) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === quote) throw new UnquoteError();
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      pushCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    if (i + 1 >= body.length) throw new UnquoteError();
    const e = body[i + 1]!;
    i += 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      continue;
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      if (i + len > body.length) throw new UnquoteError();
      let v = 0;
      for (let j = 0; j < len; j++) {
        const h = hexVal(body.charCodeAt(i + j));
        if (h < 0) throw new UnquoteError();
        v = v * 16 + h;
      }
      i += len;
      if (e === 'x') bytes.push(v);
      else {
        if (v > 0x10ffff) throw new UnquoteError();
        // Go encodes surrogate halves as U+FFFD.
        pushCodePoint(v >= 0xd800 && v < 0xe000 ? 0xfffd : v);
      }
      continue;
    }
    if (e >= '0' && e <= '7') {
      if (i + 2 > body.length) throw new UnquoteError();
      let v = e.charCodeAt(0) - 0x30;
      for (let j = 0; j < 2; j++) {
        const d = body.charCodeAt(i + j) - 0x30;
        if (d < 0 || d > 7) throw new UnquoteError();
        v = (v << 3) | d;
      }
      i += 2;
      if (v > 255) throw new UnquoteError();
      bytes.push(v);
      continue;
    }
    if (e === "'" || e === '"') {
      if (e !== quote) throw new UnquoteError();
      bytes.push(e.charCodeAt(0));
      continue;
    }
    throw new UnquoteError();
  }
  return UTF8.decode(new Uint8Array(bytes));
}
