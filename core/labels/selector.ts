/**
 * @module core/labels/selector — series selectors (`metric`, `{a="b"}`, `metric{a!~"x"}`) for
 * CLI flags and API `match[]` parameters, without the full PromQL parser. Grammar, string
 * literals, keywords, matcher order (name matcher last) and error texts follow Prometheus 2.42's
 * `parser.ParseMetricSelector`; errors are BadDataError as `<line>:<col>: parse error: <msg>`.
 */
import { BadDataError } from '../errors.ts';
import { goQuote, goQuoteRune } from '../gocompat/quote.ts';
import { StringLiteralError, readGoString } from '../gocompat/unquote.ts';
import { METRIC_NAME } from './labels.ts';
import { type MatchType, Matcher } from './matcher.ts';

/** A selector that does not parse; `offset` is the 0-based character index of the problem. */
export class SelectorParseError extends BadDataError {
  readonly offset: number;
  constructor(input: string, offset: number, message: string, options?: { cause?: unknown }) {
    super(`${position(input, offset)} parse error: ${message}`, options);
    this.offset = offset;
  }
}

/** Prometheus's `line:col:` with col counted in UTF-8 bytes from 1, as ParseErr prints it. */
function position(input: string, offset: number): string {
  const before = input.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  const col = new TextEncoder().encode(before.slice(nl + 1)).length + 1;
  return `${line}:${col}:`;
}

/**
 * Words that the 2.42 lexer makes tokens a metric selector cannot start with (matched
 * case-insensitively); other keywords (`sum`, `by`, `offset`, …) are fine as metric names there.
 */
const NOT_A_NAME: Readonly<Record<string, (text: string) => string>> = {
  atan2: (t) => `<op:${t}>`,
  on: (t) => `<${t}>`,
  ignoring: (t) => `<${t}>`,
  group_left: (t) => `<${t}>`,
  group_right: (t) => `<${t}>`,
  bool: (t) => `<${t}>`,
  inf: (t) => `number ${goQuote(t)}`,
  nan: (t) => `number ${goQuote(t)}`,
};

type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly value: string; readonly at: number }
  | { readonly kind: 'op'; readonly text: MatchType; readonly at: number }
  | { readonly kind: 'punct'; readonly text: '{' | '}' | ','; readonly at: number }
  | { readonly kind: 'number'; readonly text: string; readonly at: number }
  | { readonly kind: 'eof'; readonly at: number };

/** The parser's `unexpected …` wording for a token. */
function describe(t: Token): string {
  switch (t.kind) {
    case 'ident':
      return `identifier ${goQuote(t.text)}`;
    case 'string':
      return `string ${goQuote(t.text)}`;
    case 'number':
      return `number ${goQuote(t.text)}`;
    case 'op':
    case 'punct':
      return goQuote(t.text);
    case 'eof':
      return 'end of input';
  }
}

const BINARY_OPS = new Set(['and', 'or', 'unless', 'atan2']);
const MODIFIERS = new Set([
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
]);

/** After a complete selector, keywords read as the tokens PromQL would make of them. */
function describeTrailing(t: Token): string {
  if (t.kind === 'ident') {
    const k = t.text.toLowerCase();
    if (BINARY_OPS.has(k)) return `<op:${t.text}>`;
    if (MODIFIERS.has(k)) return `<${t.text}>`;
  }
  return describe(t);
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z_]$/.test(c);
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

class Lexer {
  readonly #s: string;
  #i = 0;
  constructor(s: string) {
    this.#s = s;
  }

  fail(at: number, msg: string, cause?: unknown): never {
    throw new SelectorParseError(this.#s, at, msg, cause === undefined ? undefined : { cause });
  }

  /** Next token; inside braces only label names, operators, strings, `,` and `}` exist. */
  next(inBraces: boolean): Token {
    const s = this.#s;
    while (isSpace(s[this.#i])) this.#i++;
    const at = this.#i;
    const c = s[at];
    if (c === undefined) return { kind: 'eof', at };
    if (isIdentStart(c) || (!inBraces && c === ':')) {
      let j = at + 1;
      while (isIdentChar(s[j]) || (!inBraces && s[j] === ':')) j++;
      this.#i = j;
      return { kind: 'ident', text: s.slice(at, j), at };
    }
    if (c === '"' || c === "'" || c === '`') {
      try {
        const lit = readGoString(s, at);
        this.#i = lit.end;
        return { kind: 'string', text: s.slice(at, lit.end), value: lit.value, at };
      } catch (err) {
        if (err instanceof StringLiteralError) this.fail(err.offset, err.message, err);
        throw err;
      }
    }
    if (c === '{' || (inBraces && c === '}') || c === ',') {
      this.#i++;
      return { kind: 'punct', text: c, at };
    }
    if (inBraces) {
      const two = s.slice(at, at + 2);
      if (two === '!=' || two === '=~' || two === '!~') {
        this.#i += 2;
        return { kind: 'op', text: two, at };
      }
      if (c === '=') {
        this.#i++;
        return { kind: 'op', text: '=', at };
      }
      if (c === '!')
        this.fail(
          at,
          `unexpected character after '!' inside braces: ${goQuoteRune(s.codePointAt(at + 1) ?? 0x20)}`,
        );
      this.fail(at, `unexpected character inside braces: ${goQuoteRune(s.codePointAt(at)!)}`);
    }
    if (c === '[' || c === '(' || c === ')' || c === ']') {
      this.fail(at, `unexpected ${goQuote(c)}`);
    }
    if (/[0-9.]/.test(c)) {
      let j = at + 1;
      while (j < s.length && /[0-9A-Za-z_.]/.test(s[j]!)) j++;
      this.#i = j;
      return { kind: 'number', text: s.slice(at, j), at };
    }
    return this.fail(at, `unexpected character: ${goQuoteRune(s.codePointAt(at)!)}`);
  }
}

/**
 * Parses a series selector into matchers: those in braces in order, then `__name__="metric"`
 * when a metric name precedes the braces. At least one matcher must not match the empty string.
 */
export function parseSeriesSelector(input: string): Matcher[] {
  const lex = new Lexer(input);
  let tok = lex.next(false);
  const start = tok.at;
  let name: string | undefined;
  if (tok.kind === 'ident') {
    const bad = NOT_A_NAME[tok.text.toLowerCase()];
    if (bad) lex.fail(tok.at, `unexpected ${bad(tok.text)}`);
    name = tok.text;
    tok = lex.next(false);
  }
  const matchers: Matcher[] = [];
  if (tok.kind === 'punct' && tok.text === '{') {
    const expected = (t: Token, what: string): never => {
      if (t.kind === 'eof') lex.fail(t.at, 'unexpected end of input inside braces');
      return lex.fail(t.at, `unexpected ${describe(t)} in label matching, expected ${what}`);
    };
    for (;;) {
      const label = lex.next(true);
      if (label.kind === 'punct' && label.text === '}') break;
      if (label.kind !== 'ident') expected(label, 'identifier or "}"');
      const op = lex.next(true);
      if (op.kind !== 'op') return expected(op, 'label matching operator');
      const value = lex.next(true);
      if (value.kind !== 'string') return expected(value, 'string');
      try {
        matchers.push(new Matcher(op.text, (label as { text: string }).text, value.value));
      } catch (err) {
        if (err instanceof BadDataError) lex.fail(label.at, err.message, err);
        throw err;
      }
      const sep = lex.next(true);
      if (sep.kind === 'punct' && sep.text === '}') break;
      if (sep.kind !== 'punct' || sep.text !== ',') expected(sep, '"," or "}"');
    }
    tok = lex.next(false);
  } else if (name === undefined) {
    lex.fail(tok.at, `unexpected ${describe(tok)}`);
  }
  if (tok.kind !== 'eof') lex.fail(tok.at, `unexpected ${describeTrailing(tok)}`);

  if (name !== undefined) matchers.push(new Matcher('=', METRIC_NAME, name));
  if (!matchers.some((m) => !m.matches(''))) {
    lex.fail(start, 'vector selector must contain at least one non-empty matcher');
  }
  return matchers;
}
