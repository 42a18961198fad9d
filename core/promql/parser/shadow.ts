/**
 * @module core/promql/parser/shadow — prepares the text lezer parses, and checks what can be
 * checked on tokens alone.
 *
 * Prometheus's lexer decides what every token is (lexer.ts); lezer only has to find the structure.
 * So each literal is replaced by a neutral stand-in of the SAME length (numbers → `111`, strings →
 * `"aa"`, durations → `11s`, comments → spaces), a keyword Prometheus also accepts as a metric name
 * (`offset`) is renamed where an expression starts, and an unknown function name becomes `ln`
 * padded with spaces (lezer only knows the real function names). Positions stay identical; the AST
 * builder reads names and values from the original text.
 *
 * Token-level errors are found here too, each with the key at which Prometheus's parser would
 * report it (see errors.ts): values of numbers, durations and matchers (reported by Prometheus
 * while reducing, so even when a syntax error follows), trailing commas in calls, tokens that
 * cannot stand where they are.
 */
import { newMatcher, type Matcher, type MatchType } from '../../labels/matcher.ts';
import { errorMessage } from '../../errors.ts';
import { DurationError } from '../../gocompat/duration.ts';
import { parsePositiveDuration } from './durations.ts';
import { getFunction } from './functions.ts';
import { describeToken, isAggregatorToken, type Token, type TokenType } from './lexer.ts';
import { NumError } from '../../gocompat/strconv.ts';
import { parseNumber } from './numbers.ts';
import { EXPRESSION_STARTS, syntaxContext } from './syntax-context.ts';
import { ErrorKey } from './errors.ts';
import { goUnquote } from '../../gocompat/unquote.ts';

export interface TokenProblem {
  /** Ordering key (UTF-16 index; see ErrorCollector). */
  readonly key: number;
  /** UTF-16 index the message points at. */
  readonly start: number;
  readonly message: string;
}

export interface Shadow {
  readonly text: string;
  readonly problems: readonly TokenProblem[];
  /** Starts of keyword tokens that stand as metric names here (`offset` as a selector). */
  readonly metricNames: ReadonlySet<number>;
  /** Ranges [from, to) where lezer's syntax errors are artifacts (calls of one-letter unknown functions). */
  readonly ignoreSyntaxErrors: readonly (readonly [number, number])[];
  /** Matchers already compiled here, by the start of their value's string token (regexes are costly). */
  readonly matchers: ReadonlyMap<number, Matcher>;
}

/** Tokens after which an operand starts, so a keyword there can only be a metric name. */
const OPERAND_FOLLOWS = new Set<TokenType>([
  'ADD',
  'SUB',
  'MUL',
  'DIV',
  'MOD',
  'POW',
  'ATAN2',
  'EQLC',
  'NEQ',
  'LTE',
  'LSS',
  'GTE',
  'GTR',
  'LAND',
  'LOR',
  'LUNLESS',
  'BOOL',
  'GROUP_LEFT',
  'GROUP_RIGHT',
]);

/** Keywords that can never be a metric name (Prometheus `metric_identifier` lacks them). */
const NEVER_OPERANDS = new Set<TokenType>([
  'ATAN2',
  'BOOL',
  'ON',
  'IGNORING',
  'GROUP_LEFT',
  'GROUP_RIGHT',
]);

const LITERALS = new Set<TokenType>(['NUMBER', 'DURATION']);
const SET_OPERATORS = new Set<TokenType>(['LAND', 'LOR', 'LUNLESS']);

const MATCH_OPS: Partial<Record<TokenType, MatchType>> = {
  EQL: '=',
  NEQ: '!=',
  EQL_REGEX: '=~',
  NEQ_REGEX: '!~',
};

/** What a `(` opens; decides whether `,)` is an error and whether an operand follows. */
export type ParenKind = 'call' | 'agg-body' | 'agg-grouping' | 'bin-grouping' | 'paren';

/** A stand-in function name lezer knows; the space padding keeps the length. */
const STAND_IN_FUNCTION = 'ln';

export function buildShadow(input: string, tokens: readonly Token[]): Shadow {
  const out = input.split('');
  const problems: TokenProblem[] = [];
  const problem = (key: number, start: number, message: string): void => {
    problems.push({ key, start, message });
  };
  const fill = (t: Token, text: string): void => {
    for (let i = 0; i < text.length; i++) out[t.start + i] = text[i]!;
  };

  const code = tokens.filter((t) => t.type !== 'COMMENT');
  const ignoreSyntaxErrors: [number, number][] = [];
  const matchers = new Map<number, Matcher>();
  // Matching `)` of every `(` (by token index), for errors Prometheus reports when a call closes.
  const closing = new Map<number, number>();
  const open: number[] = [];
  code.forEach((t, i) => {
    if (t.type === 'LEFT_PAREN') open.push(i);
    else if (t.type === 'RIGHT_PAREN' && open.length > 0) closing.set(open.pop()!, i);
  });
  const parens: ParenKind[] = [];
  // Kind of the most recently closed paren group, for the token right after a `)`.
  let closedKind: ParenKind | undefined;
  let inBraces = false;
  let prevOperandStarts = false;
  const metricNames = new Set<number>();
  // Only the first problem can be reported (a later token's key is always larger), and the context
  // scan is linear: computing it for every problem would make a query of bad tokens quadratic.
  const context = (i: number): string =>
    problems.length > 0 ? '' : syntaxContext(code, i, metricNames);

  for (let i = 0; i < code.length; i++) {
    const t = code[i]!;
    const prev = code[i - 1];
    const next = code[i + 1];
    const len = t.end - t.start;
    const top = parens[parens.length - 1];
    const inGrouping = top === 'agg-grouping' || top === 'bin-grouping';
    /** Whether an operand (expression) starts at this token, judging by the tokens before it. */
    const operandStarts: boolean =
      !inBraces &&
      (prev === undefined ||
        // `and`/`or`/`unless` where an operand starts are metric names, not operators.
        (OPERAND_FOLLOWS.has(prev.type) && !(SET_OPERATORS.has(prev.type) && prevOperandStarts)) ||
        (prev.type === 'LEFT_PAREN' && !inGrouping) ||
        (prev.type === 'COMMA' && (top === 'call' || top === 'agg-body')) ||
        (prev.type === 'RIGHT_PAREN' && closedKind === 'bin-grouping'));

    // Literals written back to back (`1.2.3` lexes as `1.2` `.3`) would merge in the shadow text.
    if (prev && prev.end === t.start && LITERALS.has(prev.type) && LITERALS.has(t.type)) {
      problem(ErrorKey.syntax(t.start), t.start, `unexpected ${describeToken(t)}${context(i)}`);
    }
    // Prometheus's `maybe_label` accepts every keyword but `without`, and no number or `a:b`.
    if (
      inGrouping &&
      (t.type === 'NUMBER' || t.type === 'METRIC_IDENTIFIER' || t.type === 'WITHOUT')
    ) {
      problem(ErrorKey.syntax(t.start), t.start, `unexpected ${describeToken(t)}${context(i)}`);
    }
    // A comma in call arguments not followed by an operand: Prometheus reduces its trailing-comma
    // rule when it reads the next token (so after a lexical error there, before a syntax error).
    if (
      !inBraces &&
      prev?.type === 'COMMA' &&
      (top === 'call' || top === 'agg-body') &&
      !EXPRESSION_STARTS.has(t.type)
    ) {
      problem(
        ErrorKey.lookaheadReduce(t.start),
        prev.start,
        'trailing commas not allowed in function call args',
      );
    }
    // Where nothing but an operand can follow (not after a binary operator, where `bool`/`on` are
    // modifiers); `atan2` is never an operand.
    const leadsExpression =
      prev === undefined ||
      ((prev.type === 'LEFT_PAREN' || prev.type === 'COMMA') && operandStarts);
    if ((leadsExpression && NEVER_OPERANDS.has(t.type)) || (operandStarts && t.type === 'ATAN2')) {
      problem(ErrorKey.syntax(t.start), t.start, `unexpected ${describeToken(t)}${context(i)}`);
    }

    switch (t.type) {
      case 'NUMBER':
        // A leading `.` stays, so `group.5` does not read as one identifier `group11`.
        fill(t, t.text[0] === '.' ? `.${'1'.repeat(len - 1)}` : '1'.repeat(len));
        // Past the first problem no later one can be reported: skip the (throwing) value check.
        if (!inGrouping && problems.length === 0) {
          try {
            parseNumber(t.text);
          } catch (e) {
            if (!(e instanceof NumError)) throw e;
            problem(ErrorKey.value(t.start), t.start, `error parsing number: ${e.message}`);
          }
        }
        break;
      case 'DURATION': {
        // Durations are only valid after `[`, the subquery `:` and `offset` (`offset -`).
        const isModifier = (k: Token | undefined): boolean =>
          k?.type === 'OFFSET' && !metricNames.has(k.start);
        const placed =
          prev?.type === 'LEFT_BRACKET' ||
          prev?.type === 'COLON' ||
          isModifier(prev) ||
          (prev?.type === 'SUB' && isModifier(code[i - 2]));
        if (!placed)
          problem(ErrorKey.syntax(t.start), t.start, `unexpected ${describeToken(t)}${context(i)}`);
        else if (problems.length === 0) {
          try {
            parsePositiveDuration(t.text);
          } catch (e) {
            if (!(e instanceof DurationError)) throw e;
            // A one-letter duration (`d`) has no lezer stand-in; its value error must come first.
            problem(len === 1 ? t.start : ErrorKey.value(t.start), t.start, e.message);
          }
        }
        fill(t, `${'1'.repeat(len - 1)}s`);
        break;
      }
      case 'STRING': {
        fill(t, `"${'a'.repeat(len - 2)}"`);
        const op = prev && MATCH_OPS[prev.type];
        const label = code[i - 2];
        if (inBraces && op && label?.type === 'IDENTIFIER') {
          try {
            matchers.set(t.start, newMatcher(op, label.text, goUnquote(t.text)));
          } catch (e) {
            problem(ErrorKey.reduce(t.end), label.start, errorMessage(e));
          }
        }
        break;
      }
      case 'COLON':
        fill(t, ':'); // Prometheus reads any letter inside brackets as the subquery colon
        break;
      case 'IDENTIFIER':
        if (operandStarts && next?.type === 'LEFT_PAREN' && getFunction(t.text) === undefined) {
          if (len >= STAND_IN_FUNCTION.length) fill(t, STAND_IN_FUNCTION.padEnd(len, ' '));
          else {
            // A one-letter name has no stand-in: report it when its call closes, as Prometheus
            // does, and disregard what lezer makes of the call.
            const close = closing.get(i + 1);
            if (close !== undefined) {
              const end = code[close]!.end;
              problem(
                ErrorKey.reduce(end),
                t.start,
                `unknown function with name ${JSON.stringify(t.text)}`,
              );
              ignoreSyntaxErrors.push([t.start, end]);
            } else ignoreSyntaxErrors.push([t.start, Infinity]); // unclosed: the lexer reports it
          }
        }
        break;
      case 'OFFSET':
        if (operandStarts) {
          fill(t, `o${'_'.repeat(len - 1)}`);
          metricNames.add(t.start);
        }
        break;
      case 'LEFT_BRACE':
        inBraces = true;
        break;
      case 'RIGHT_BRACE':
        inBraces = false;
        break;
      case 'LEFT_PAREN': {
        let kind: ParenKind = 'paren';
        if (prev?.type === 'IDENTIFIER') kind = 'call';
        else if (prev && isAggregatorToken(prev.type)) kind = 'agg-body';
        else if (prev?.type === 'BY' || prev?.type === 'WITHOUT') kind = 'agg-grouping';
        else if (prev && ['ON', 'IGNORING', 'GROUP_LEFT', 'GROUP_RIGHT'].includes(prev.type))
          kind = 'bin-grouping';
        else if (prev?.type === 'RIGHT_PAREN' && closedKind === 'agg-grouping') kind = 'agg-body';
        parens.push(kind);
        break;
      }
      case 'RIGHT_PAREN':
        closedKind = parens.pop();
        break;
      default:
        break;
    }
    prevOperandStarts = operandStarts;
  }
  const last = code[code.length - 1];
  if (
    last?.type === 'COMMA' &&
    (parens[parens.length - 1] === 'call' || parens[parens.length - 1] === 'agg-body')
  ) {
    problem(
      ErrorKey.lookaheadReduce(input.length),
      last.start,
      'trailing commas not allowed in function call args',
    );
  }
  for (const t of tokens) if (t.type === 'COMMENT') fill(t, ' '.repeat(t.end - t.start));
  return { text: out.join(''), problems, metricNames, ignoreSyntaxErrors, matchers };
}
