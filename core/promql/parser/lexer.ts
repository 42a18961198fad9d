/**
 * @module core/promql/parser/lexer — PromQL tokens exactly as Prometheus 2.42's lexer
 * (promql/parser/lex.go) cuts them: which text is a number, a duration, a string, a keyword, and
 * which characters are lexical errors (with Prometheus's messages). The lezer grammar is more
 * lenient and differs in places (hex `0X`, octal `010`, duration unit order, escapes), so the
 * parser trusts these tokens for values and lexical errors and uses lezer only for structure.
 * Positions are UTF-16 indices into the query; the parser converts them to bytes for messages.
 */
import { goQuote, goQuoteRune, goUnicodeRune } from '../../gocompat/quote.ts';

export type TokenType =
  | 'EOF'
  | 'COMMA'
  | 'COLON'
  | 'COMMENT'
  | 'DURATION'
  | 'IDENTIFIER'
  | 'METRIC_IDENTIFIER'
  | 'NUMBER'
  | 'STRING'
  | 'EQL'
  | 'LEFT_BRACE'
  | 'RIGHT_BRACE'
  | 'LEFT_BRACKET'
  | 'RIGHT_BRACKET'
  | 'LEFT_PAREN'
  | 'RIGHT_PAREN'
  // operators
  | 'ADD'
  | 'DIV'
  | 'EQLC'
  | 'EQL_REGEX'
  | 'GTE'
  | 'GTR'
  | 'LAND'
  | 'LOR'
  | 'LSS'
  | 'LTE'
  | 'LUNLESS'
  | 'MOD'
  | 'MUL'
  | 'NEQ'
  | 'NEQ_REGEX'
  | 'POW'
  | 'SUB'
  | 'AT'
  | 'ATAN2'
  // aggregators
  | 'AVG'
  | 'BOTTOMK'
  | 'COUNT'
  | 'COUNT_VALUES'
  | 'GROUP'
  | 'MAX'
  | 'MIN'
  | 'QUANTILE'
  | 'STDDEV'
  | 'STDVAR'
  | 'SUM'
  | 'TOPK'
  // keywords
  | 'BOOL'
  | 'BY'
  | 'GROUP_LEFT'
  | 'GROUP_RIGHT'
  | 'IGNORING'
  | 'OFFSET'
  | 'ON'
  | 'WITHOUT'
  // @ preprocessors
  | 'START'
  | 'END';

export interface Token {
  readonly type: TokenType;
  /** UTF-16 index of the first character. */
  readonly start: number;
  /** UTF-16 index after the last character. */
  readonly end: number;
  readonly text: string;
}

export interface LexError {
  /** UTF-16 index Prometheus reports (its `l.start` when the error was raised). */
  readonly start: number;
  /** UTF-16 index where the lexer began reading the failing item (orders it among parse errors). */
  readonly at: number;
  readonly message: string;
}

export interface LexResult {
  /** Tokens up to the first error, comments included, EOF excluded. */
  readonly tokens: readonly Token[];
  readonly error: LexError | undefined;
}

const KEYWORDS: Readonly<Record<string, TokenType>> = {
  and: 'LAND',
  or: 'LOR',
  unless: 'LUNLESS',
  atan2: 'ATAN2',
  sum: 'SUM',
  avg: 'AVG',
  count: 'COUNT',
  min: 'MIN',
  max: 'MAX',
  group: 'GROUP',
  stddev: 'STDDEV',
  stdvar: 'STDVAR',
  topk: 'TOPK',
  bottomk: 'BOTTOMK',
  count_values: 'COUNT_VALUES',
  quantile: 'QUANTILE',
  offset: 'OFFSET',
  by: 'BY',
  without: 'WITHOUT',
  on: 'ON',
  ignoring: 'IGNORING',
  group_left: 'GROUP_LEFT',
  group_right: 'GROUP_RIGHT',
  bool: 'BOOL',
  start: 'START',
  end: 'END',
  inf: 'NUMBER',
  nan: 'NUMBER',
};

const OPERATORS = new Set<TokenType>([
  'ADD',
  'DIV',
  'EQLC',
  'EQL_REGEX',
  'GTE',
  'GTR',
  'LAND',
  'LOR',
  'LSS',
  'LTE',
  'LUNLESS',
  'MOD',
  'MUL',
  'NEQ',
  'NEQ_REGEX',
  'POW',
  'SUB',
  'AT',
  'ATAN2',
]);
const AGGREGATORS = new Set<TokenType>([
  'AVG',
  'BOTTOMK',
  'COUNT',
  'COUNT_VALUES',
  'GROUP',
  'MAX',
  'MIN',
  'QUANTILE',
  'STDDEV',
  'STDVAR',
  'SUM',
  'TOPK',
]);
const KEYWORD_TYPES = new Set<TokenType>([
  'BOOL',
  'BY',
  'GROUP_LEFT',
  'GROUP_RIGHT',
  'IGNORING',
  'OFFSET',
  'ON',
  'WITHOUT',
]);

export const isOperatorToken = (t: TokenType): boolean => OPERATORS.has(t);
export const isAggregatorToken = (t: TokenType): boolean => AGGREGATORS.has(t);
export const isKeywordToken = (t: TokenType): boolean => KEYWORD_TYPES.has(t);

/** The fixed spelling of punctuation and keyword types (Prometheus ItemTypeStr). */
const FIXED_TEXT: Partial<Record<TokenType, string>> = {
  LEFT_PAREN: '(',
  RIGHT_PAREN: ')',
  LEFT_BRACE: '{',
  RIGHT_BRACE: '}',
  LEFT_BRACKET: '[',
  RIGHT_BRACKET: ']',
  COMMA: ',',
  EQL: '=',
  COLON: ':',
  SUB: '-',
  ADD: '+',
  MUL: '*',
  MOD: '%',
  DIV: '/',
  EQLC: '==',
  NEQ: '!=',
  LTE: '<=',
  LSS: '<',
  GTE: '>=',
  GTR: '>',
  EQL_REGEX: '=~',
  NEQ_REGEX: '!~',
  POW: '^',
};
for (const [word, type] of Object.entries(KEYWORDS)) if (type !== 'NUMBER') FIXED_TEXT[type] = word;

const TYPE_DESC: Partial<Record<TokenType, string>> = {
  EOF: 'end of input',
  COMMENT: 'comment',
  IDENTIFIER: 'identifier',
  METRIC_IDENTIFIER: 'metric identifier',
  STRING: 'string',
  NUMBER: 'number',
  DURATION: 'duration',
  // AT has no entry in Prometheus's ItemTypeStr, so it prints its generated type number.
  AT: '"<Item 57385>"',
};

/** Prometheus Item.String(). */
function itemString(t: Token): string {
  if (t.type === 'EOF') return 'EOF';
  if (t.type === 'IDENTIFIER' || t.type === 'METRIC_IDENTIFIER') return goQuote(t.text);
  if (isKeywordToken(t.type)) return `<${t.text}>`;
  if (isOperatorToken(t.type)) return `<op:${t.text}>`;
  if (isAggregatorToken(t.type)) return `<aggr:${t.text}>`;
  const chars = [...t.text];
  if (chars.length > 10) return `${goQuote(chars.slice(0, 10).join(''))}...`;
  return goQuote(t.text);
}

/** Prometheus Item.desc(), used in `unexpected <desc>` syntax errors. */
export function describeToken(t: Token | undefined): string {
  if (!t || t.type === 'EOF') return 'end of input';
  if (FIXED_TEXT[t.type] !== undefined && t.type !== 'AT') return itemString(t);
  return `${TYPE_DESC[t.type] ?? goQuote(t.type)} ${itemString(t)}`;
}

const EOF = -1;

const isSpace = (r: number): boolean => r === 0x20 || r === 0x09 || r === 0x0a || r === 0x0d;
const isDigit = (r: number): boolean => r >= 0x30 && r <= 0x39;
const isAlpha = (r: number): boolean =>
  r === 0x5f || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
const isAlphaNumeric = (r: number): boolean => isAlpha(r) || isDigit(r);
const isEndOfLine = (r: number): boolean => r === 0x0d || r === 0x0a;

type StateFn = () => StateFn | null;

/** Cuts `input` into tokens with Prometheus's lexer rules; stops at the first lexical error. */
export function lex(input: string): LexResult {
  const tokens: Token[] = [];
  let error: LexError | undefined;
  let pos = 0;
  let start = 0;
  let width = 0;
  let parenDepth = 0;
  let braceOpen = false;
  let bracketOpen = false;
  let gotColon = false;
  let stringOpen = 0;
  let done = false;

  const next = (): number => {
    if (pos >= input.length) {
      width = 0;
      return EOF;
    }
    const r = input.codePointAt(pos)!;
    width = r > 0xffff ? 2 : 1;
    pos += width;
    return r;
  };
  const backup = (): void => {
    pos -= width;
  };
  const peek = (): number => {
    const r = next();
    backup();
    return r;
  };
  const accept = (valid: string): boolean => {
    const r = next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    backup();
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid));
  };
  const emit = (type: TokenType): void => {
    tokens.push({ type, start, end: pos, text: input.slice(start, pos) });
    start = pos;
  };
  const ignore = (): void => {
    start = pos;
  };
  const errorf = (message: string, at = start): null => {
    error = { start, at, message };
    done = true;
    return null;
  };

  const scanNumber = (): boolean => {
    let digits = '0123456789';
    if (accept('0') && accept('xX')) digits = '0123456789abcdefABCDEF';
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (accept('eE')) {
      accept('+-');
      acceptRun('0123456789');
    }
    return !isAlphaNumeric(peek());
  };

  const acceptRemainingDuration = (): boolean => {
    if (!accept('smhdwy')) return false;
    accept('s');
    while (accept('0123456789')) {
      while (accept('0123456789'));
      if (!accept('smhdw')) return false;
      accept('s');
    }
    return !isAlphaNumeric(next());
  };

  const lexStatements: StateFn = () => {
    if (braceOpen) return lexInsideBraces;
    if (input.startsWith('#', pos)) return lexLineComment;
    const r = next();
    if (r === EOF) {
      if (parenDepth !== 0) return errorf('unclosed left parenthesis');
      if (bracketOpen) return errorf('unclosed left bracket');
      done = true;
      return null;
    }
    switch (r) {
      case 0x2c:
        emit('COMMA');
        return lexStatements; // ,
      case 0x2a:
        emit('MUL');
        return lexStatements; // *
      case 0x2f:
        emit('DIV');
        return lexStatements; // /
      case 0x25:
        emit('MOD');
        return lexStatements; // %
      case 0x2b:
        emit('ADD');
        return lexStatements; // +
      case 0x2d:
        emit('SUB');
        return lexStatements; // -
      case 0x5e:
        emit('POW');
        return lexStatements; // ^
      case 0x40:
        emit('AT');
        return lexStatements; // @
      case 0x3d: {
        // =
        const t = peek();
        if (t === 0x3d) {
          next();
          emit('EQLC');
        } else if (t === 0x7e) {
          return errorf(`unexpected character after '=': ${goQuoteRune(t)}`);
        } else emit('EQL');
        return lexStatements;
      }
      case 0x21: {
        // !
        const t = next();
        if (t === 0x3d) {
          emit('NEQ');
          return lexStatements;
        }
        return errorf(`unexpected character after '!': ${goQuoteRune(t)}`);
      }
      case 0x3c: // <
        if (peek() === 0x3d) {
          next();
          emit('LTE');
        } else emit('LSS');
        return lexStatements;
      case 0x3e: // >
        if (peek() === 0x3d) {
          next();
          emit('GTE');
        } else emit('GTR');
        return lexStatements;
      case 0x22: // "
      case 0x27: // '
        stringOpen = r;
        return lexString;
      case 0x60: // `
        stringOpen = r;
        return lexRawString;
      case 0x28: // (
        emit('LEFT_PAREN');
        parenDepth++;
        return lexStatements;
      case 0x29: // )
        emit('RIGHT_PAREN');
        parenDepth--;
        if (parenDepth < 0) {
          // Prometheus emits the `)` first, so it reports the position after it.
          tokens.pop();
          return errorf(`unexpected right parenthesis ${goQuoteRune(r)}`, start - 1);
        }
        return lexStatements;
      case 0x7b: // {
        emit('LEFT_BRACE');
        braceOpen = true;
        return lexInsideBraces;
      case 0x5b: // [
        if (bracketOpen) return errorf(`unexpected left bracket ${goQuoteRune(r)}`);
        gotColon = false;
        emit('LEFT_BRACKET');
        while (isSpace(peek())) next();
        ignore();
        bracketOpen = true;
        return lexDuration;
      case 0x5d: // ]
        if (!bracketOpen) return errorf(`unexpected right bracket ${goQuoteRune(r)}`);
        emit('RIGHT_BRACKET');
        bracketOpen = false;
        return lexStatements;
    }
    if (isSpace(r)) return lexSpace;
    if (isDigit(r) || (r === 0x2e && isDigit(peek()))) {
      backup();
      return lexNumberOrDuration;
    }
    if (isAlpha(r) || r === 0x3a) {
      if (!bracketOpen) {
        backup();
        return lexKeywordOrIdentifier;
      }
      // Inside brackets any letter or ':' is the subquery colon (Prometheus quirk: `[5m x]`).
      if (gotColon) return errorf(`unexpected colon ${goQuoteRune(r)}`);
      emit('COLON');
      gotColon = true;
      return lexStatements;
    }
    return errorf(`unexpected character: ${goQuoteRune(r)}`);
  };

  const lexInsideBraces: StateFn = () => {
    if (input.startsWith('#', pos)) return lexLineComment;
    const r = next();
    if (r === EOF) return errorf('unexpected end of input inside braces');
    if (isSpace(r)) return lexSpace;
    if (isAlpha(r)) {
      backup();
      return lexIdentifier;
    }
    switch (r) {
      case 0x2c:
        emit('COMMA');
        return lexInsideBraces;
      case 0x22:
      case 0x27:
        stringOpen = r;
        return lexString;
      case 0x60:
        stringOpen = r;
        return lexRawString;
      case 0x3d: // =
        if (next() === 0x7e) emit('EQL_REGEX');
        else {
          backup();
          emit('EQL');
        }
        return lexInsideBraces;
      case 0x21: {
        // !
        const nr = next();
        if (nr === 0x7e) emit('NEQ_REGEX');
        else if (nr === 0x3d) emit('NEQ');
        else return errorf(`unexpected character after '!' inside braces: ${goQuoteRune(nr)}`);
        return lexInsideBraces;
      }
      case 0x7b:
        return errorf(`unexpected left brace ${goQuoteRune(r)}`);
      case 0x7d:
        emit('RIGHT_BRACE');
        braceOpen = false;
        return lexStatements;
    }
    return errorf(`unexpected character inside braces: ${goQuoteRune(r)}`);
  };

  const digitVal = (ch: number): number => {
    if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
    if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
    if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
    return 16;
  };

  const lexEscape: StateFn = () => {
    let ch = next();
    let n: number;
    let base: number;
    let max: number;
    switch (ch) {
      case 0x61:
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x76:
      case 0x5c: // a b f n r t v \
        return lexString;
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
        n = 3;
        base = 8;
        max = 255;
        break;
      case 0x78: // x
        ch = next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 0x75: // u
        ch = next();
        n = 4;
        base = 16;
        max = 0x10ffff;
        break;
      case 0x55: // U
        ch = next();
        n = 8;
        base = 16;
        max = 0x10ffff;
        break;
      case EOF:
        return errorf('escape sequence not terminated');
      default:
        if (ch === stringOpen) return lexString;
        return errorf(`unknown escape sequence ${goUnicodeRune(ch)}`);
    }
    let x = 0;
    while (n > 0) {
      const d = digitVal(ch);
      if (d >= base) {
        if (ch === EOF) return errorf('escape sequence not terminated');
        return errorf(`illegal character ${goUnicodeRune(ch)} in escape sequence`);
      }
      x = x * base + d;
      n--;
      if (n > 0) ch = next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000))
      return errorf('escape sequence is an invalid Unicode code point');
    return lexString;
  };

  const lexString: StateFn = () => {
    for (;;) {
      const r = next();
      if (r === 0x5c) return lexEscape;
      if (r === EOF || r === 0x0a) return errorf('unterminated quoted string');
      if (r === stringOpen) break;
    }
    emit('STRING');
    return lexStatements;
  };

  const lexRawString: StateFn = () => {
    for (;;) {
      const r = next();
      if (r === EOF) return errorf('unterminated raw string');
      if (r === stringOpen) break;
    }
    emit('STRING');
    return lexStatements;
  };

  const lexSpace: StateFn = () => {
    while (isSpace(peek())) next();
    ignore();
    return lexStatements;
  };

  const lexLineComment: StateFn = () => {
    pos += 1;
    let r = next();
    while (!isEndOfLine(r) && r !== EOF) r = next();
    backup();
    emit('COMMENT');
    return lexStatements;
  };

  const lexDuration: StateFn = () => {
    if (scanNumber()) return errorf('missing unit character in duration');
    if (!acceptRemainingDuration())
      return errorf(`bad duration syntax: ${goQuote(input.slice(start, pos))}`);
    backup();
    emit('DURATION');
    return lexStatements;
  };

  const lexNumberOrDuration: StateFn = () => {
    if (scanNumber()) {
      emit('NUMBER');
      return lexStatements;
    }
    if (acceptRemainingDuration()) {
      backup();
      emit('DURATION');
      return lexStatements;
    }
    return errorf(`bad number or duration syntax: ${goQuote(input.slice(start, pos))}`);
  };

  const lexIdentifier: StateFn = () => {
    while (isAlphaNumeric(next()));
    backup();
    emit('IDENTIFIER');
    return lexStatements;
  };

  const lexKeywordOrIdentifier: StateFn = () => {
    for (;;) {
      const r = next();
      if (isAlphaNumeric(r) || r === 0x3a) continue;
      backup();
      const word = input.slice(start, pos);
      const kw = KEYWORDS[word.toLowerCase()];
      if (kw !== undefined) emit(kw);
      else if (!word.includes(':')) emit('IDENTIFIER');
      else emit('METRIC_IDENTIFIER');
      return lexStatements;
    }
  };

  let state: StateFn | null = lexStatements;
  while (!done && state) state = state();
  return { tokens, error };
}
