/**
 * @module core/rule/template/lex — splits a Go text/template into text and action tokens:
 * `{{ }}` delimiters, trim markers `{{- ` / ` -}}` (which eat the whitespace beside them),
 * comments `{{/* … *\/}}`, and inside actions the items of text/template/parse's lexer.
 */
import { TemplateParseError } from './parse-error.ts';

export type Item =
  | { readonly t: 'text'; readonly text: string; readonly line: number }
  | { readonly t: 'action'; readonly items: readonly Tok[]; readonly line: number };

type TokBody =
  | { readonly t: 'pipe' | 'lparen' | 'rparen' | 'comma' | 'declare' | 'assign' | 'dot' }
  | { readonly t: 'field'; readonly name: string }
  | { readonly t: 'var'; readonly name: string }
  | { readonly t: 'ident'; readonly name: string }
  | { readonly t: 'string'; readonly raw: string }
  | { readonly t: 'char'; readonly raw: string }
  | { readonly t: 'number'; readonly raw: string }
  | { readonly t: 'space' };

/** A token with its byte offset in the whole template text (for error positions). */
export type Tok = TokBody & { readonly pos: number };

const SPACE = /[ \t\r\n]/;
const ALNUM = /[\p{L}\p{Nd}_]/u;
const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)i?/;

function lineAt(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

/** Tokenises the inside of one action (between the delimiters and trim markers). */
function lexAction(src: string, name: string, line: number, base: number): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let start = 0;
  const push = (t: TokBody): void => {
    out.push({ ...t, pos: base + start });
  };
  const err = (msg: string): never => {
    throw new TemplateParseError(name, line, msg);
  };
  while (i < src.length) {
    start = i;
    const c = src[i]!;
    if (SPACE.test(c)) {
      while (i < src.length && SPACE.test(src[i]!)) i++;
      push({ t: 'space' });
      continue;
    }
    if (c === '|') push({ t: 'pipe' });
    else if (c === '(') push({ t: 'lparen' });
    else if (c === ')') push({ t: 'rparen' });
    else if (c === ',') push({ t: 'comma' });
    else if (c === '=') push({ t: 'assign' });
    else if (c === ':') {
      if (src[i + 1] !== '=') err('expected :=');
      push({ t: 'declare' });
      i++;
    } else if (c === '"' || c === '`' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && c !== '`') j++;
        else if (src[j] === '\n' && c !== '`')
          err(c === "'" ? 'unterminated character constant' : 'unterminated quoted string');
        j++;
      }
      if (j >= src.length)
        err(
          c === '`'
            ? 'unterminated raw quoted string'
            : c === "'"
              ? 'unterminated character constant'
              : 'unterminated quoted string',
        );
      push({ t: c === "'" ? 'char' : 'string', raw: src.slice(i, j + 1) });
      i = j + 1;
      continue;
    } else if (c === '$' || c === '.') {
      let j = i + 1;
      while (j < src.length && ALNUM.test(src[j]!)) j++;
      const word = src.slice(i + 1, j);
      if (c === '.' && /^\d/.test(word)) {
        const m = NUMBER.exec(src.slice(i))!;
        push({ t: 'number', raw: m[0] });
        i += m[0].length;
        continue;
      }
      if (c === '$') push({ t: 'var', name: `$${word}` });
      else push(word === '' ? { t: 'dot' } : { t: 'field', name: word });
      i = j;
      continue;
    } else if (/[0-9+-]/.test(c)) {
      const m = NUMBER.exec(src.slice(i));
      if (!m) err(`bad number syntax: "${src.slice(i, i + 2)}"`);
      push({ t: 'number', raw: m![0] });
      i += m![0].length;
      continue;
    } else if (ALNUM.test(c)) {
      let j = i;
      while (j < src.length && ALNUM.test(src[j]!)) j++;
      push({ t: 'ident', name: src.slice(i, j) });
      i = j;
      continue;
    } else {
      err(`unexpected "${c}" in command`);
    }
    i++;
  }
  return out;
}

/** Splits a template into text and action items, applying trim markers. */
export function lexTemplate(src: string, name: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') items.push({ t: 'text', text, line: lineAt(src, i) });
      break;
    }
    let p = open + 2;
    const line = lineAt(src, open);
    if (src[p] === '-' && SPACE.test(src[p + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    if (text !== '') items.push({ t: 'text', text, line: lineAt(src, i) });
    // Comments: {{/* … */}} (with optional trim markers).
    const afterSpace = src.slice(p);
    if (afterSpace.startsWith('/*')) {
      const end = src.indexOf('*/', p + 2);
      if (end < 0) throw new TemplateParseError(name, line, 'unclosed comment');
      let q = end + 2;
      if (src.startsWith(' -}}', q)) {
        trimNext = true;
        q += 4;
      } else if (src.startsWith('}}', q)) q += 2;
      else throw new TemplateParseError(name, line, 'comment ends before closing delimiter');
      i = q;
      continue;
    }
    // Find the closing delimiter outside quoted strings.
    let j = p;
    let close = -1;
    while (j < src.length) {
      const c = src[j]!;
      if (c === '"' || c === "'" || c === '`') {
        let k = j + 1;
        while (k < src.length && src[k] !== c) {
          if (src[k] === '\\' && c !== '`') k++;
          k++;
        }
        j = k + 1;
        continue;
      }
      if (src.startsWith('}}', j)) {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new TemplateParseError(name, line, 'unclosed action');
    let inner = src.slice(p, close);
    if (/[ \t\r\n]-$/.test(inner)) {
      inner = inner.slice(0, -2);
      trimNext = true;
    }
    items.push({ t: 'action', items: lexAction(inner, name, line, p), line });
    i = close + 2;
  }
  return items;
}
