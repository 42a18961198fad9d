/**
 * @module core/promql/parser/strings — Go string literal rules as PromQL uses them: unquoting
 * ("…" and '…' with every Go escape, `raw`) as Prometheus util/strutil.Unquote does, and Go's
 * rune quoting (`%q`, `%#U`) for lexer messages. String `%q` is core/labels' goQuote, re-exported.
 */

export { goQuote } from '../../labels/go-string.ts';

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
export function unquote(s: string): string {
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

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function isGoPrint(cp: number): boolean {
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

function escapeCodePoint(cp: number, quote: string, out: string[]): void {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') {
    out.push('\\', ch);
    return;
  }
  if (isGoPrint(cp)) {
    out.push(ch);
    return;
  }
  switch (cp) {
    case 0x07:
      out.push('\\a');
      return;
    case 0x08:
      out.push('\\b');
      return;
    case 0x0c:
      out.push('\\f');
      return;
    case 0x0a:
      out.push('\\n');
      return;
    case 0x0d:
      out.push('\\r');
      return;
    case 0x09:
      out.push('\\t');
      return;
    case 0x0b:
      out.push('\\v');
      return;
  }
  if (cp < 0x20 || cp === 0x7f) out.push('\\x', hex(cp, 2));
  else if (cp < 0x10000) out.push('\\u', hex(cp, 4));
  else out.push('\\U', hex(cp, 8));
}

/** Go's `strconv.QuoteRune` (`%q` of a rune); -1 (end of input) prints as U+FFFD, as Go does. */
export function goQuoteRune(cp: number): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd;
  const out: string[] = ["'"];
  escapeCodePoint(cp, "'", out);
  out.push("'");
  return out.join('');
}

/** Go's `%#U` of a rune: `U+0071 'q'` (the quoted char only when printable). */
export function goUnicodeRune(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp >= 0 && cp <= 0x10ffff && isGoPrint(cp)) return `${code} '${String.fromCodePoint(cp)}'`;
  return code;
}
