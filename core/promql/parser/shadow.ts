/**
 * @module core/promql/parser/shadow — prepares the text lezer parses. Prometheus's lexer decides
 * what every token is (see lexer.ts); lezer only has to find the structure. So each literal is
 * replaced by a neutral stand-in of the SAME length (numbers → `111`, strings → `"aa"`, durations →
 * `11s`, comments → spaces), and a keyword Prometheus also accepts as a metric name (`offset`) is
 * renamed where an expression starts. Positions stay identical; the AST builder reads names and
 * values from the original text and tokens. The same token scan finds two errors Prometheus
 * reports that lezer cannot express: unknown function names and trailing commas in calls.
 */
import { getFunction } from './functions.ts';
import { describeToken, isAggregatorToken, type Token, type TokenType } from './lexer.ts';

export interface TokenProblem {
  /** UTF-16 index the message points at. */
  readonly start: number;
  readonly message: string;
}

export interface Shadow {
  readonly text: string;
  readonly problems: readonly TokenProblem[];
}

/** Tokens after which an operand starts, so a keyword there can only be a metric name. */
const OPERAND_FOLLOWS = new Set<TokenType>([
  'ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'POW', 'ATAN2', 'EQLC', 'NEQ', 'LTE', 'LSS', 'GTE', 'GTR',
  'LAND', 'LOR', 'LUNLESS', 'BOOL', 'GROUP_LEFT', 'GROUP_RIGHT',
]);

const LITERALS = new Set<TokenType>(['NUMBER', 'DURATION']);

/** What a `(` opens; decides whether `,)` is an error and whether an operand follows. */
type ParenKind = 'call' | 'agg-grouping' | 'bin-grouping' | 'paren';

export function buildShadow(input: string, tokens: readonly Token[]): Shadow {
  const out = input.split('');
  const problems: TokenProblem[] = [];
  const fill = (t: Token, text: string): void => {
    for (let i = 0; i < text.length; i++) out[t.start + i] = text[i]!;
  };

  const code = tokens.filter((t) => t.type !== 'COMMENT');
  const parens: ParenKind[] = [];
  // Kind of the most recently closed paren group, for the token right after a `)`.
  let closedKind: ParenKind | undefined;

  for (let i = 0; i < code.length; i++) {
    const t = code[i]!;
    const prev = code[i - 1];
    const next = code[i + 1];
    const len = t.end - t.start;
    /** Whether an operand (expression) starts at this token, judging by the tokens before it. */
    const operandStarts = (): boolean =>
      prev === undefined ||
      OPERAND_FOLLOWS.has(prev.type) ||
      (prev.type === 'LEFT_PAREN' && parens[parens.length - 1] !== 'agg-grouping' && parens[parens.length - 1] !== 'bin-grouping') ||
      (prev.type === 'COMMA' && parens[parens.length - 1] === 'call') ||
      (prev.type === 'RIGHT_PAREN' && closedKind === 'bin-grouping');
    const inGrouping = parens[parens.length - 1] === 'agg-grouping' || parens[parens.length - 1] === 'bin-grouping';
    // Literals written back to back (`1.2.3` lexes as `1.2` `.3`) would merge in the shadow text.
    if (prev && prev.end === t.start && LITERALS.has(prev.type) && LITERALS.has(t.type)) {
      problems.push({ start: t.start, message: `unexpected ${describeToken(t)}` });
    }
    // Prometheus's `maybe_label` accepts every keyword but `without`, and no number or `a:b`.
    if (inGrouping && (t.type === 'NUMBER' || t.type === 'METRIC_IDENTIFIER' || t.type === 'WITHOUT')) {
      problems.push({ start: t.start, message: `unexpected ${describeToken(t)} in grouping opts, expected label` });
    }
    switch (t.type) {
      case 'NUMBER':
        fill(t, '1'.repeat(len));
        break;
      case 'DURATION': {
        // Durations are only valid after `[`, the subquery `:` and `offset` (`offset -`).
        const ok =
          prev?.type === 'LEFT_BRACKET' || prev?.type === 'COLON' || prev?.type === 'OFFSET' ||
          (prev?.type === 'SUB' && code[i - 2]?.type === 'OFFSET');
        if (!ok) problems.push({ start: t.start, message: `unexpected ${describeToken(t)}` });
        fill(t, `${'1'.repeat(len - 1)}s`);
        break;
      }
      case 'STRING':
        fill(t, `"${'a'.repeat(len - 2)}"`);
        break;
      case 'COLON':
        fill(t, ':'); // Prometheus reads any letter inside brackets as the subquery colon
        break;
      case 'IDENTIFIER':
        if (operandStarts() && next?.type === 'LEFT_PAREN' && getFunction(t.text) === undefined) {
          problems.push({ start: t.start, message: `unknown function with name ${JSON.stringify(t.text)}` });
        }
        break;
      case 'OFFSET':
        if (operandStarts()) fill(t, `o${'_'.repeat(len - 1)}`);
        break;
      case 'LEFT_PAREN': {
        let kind: ParenKind = 'paren';
        if (prev?.type === 'IDENTIFIER' || (prev && isAggregatorToken(prev.type))) kind = 'call';
        else if (prev?.type === 'BY' || prev?.type === 'WITHOUT') kind = 'agg-grouping';
        else if (prev && ['ON', 'IGNORING', 'GROUP_LEFT', 'GROUP_RIGHT'].includes(prev.type)) kind = 'bin-grouping';
        else if (prev?.type === 'RIGHT_PAREN' && closedKind === 'agg-grouping') kind = 'call';
        parens.push(kind);
        break;
      }
      case 'RIGHT_PAREN':
        closedKind = parens.pop();
        if (closedKind === 'call' && prev?.type === 'COMMA') {
          problems.push({ start: prev.start, message: 'trailing commas not allowed in function call args' });
        }
        break;
      default:
        break;
    }
  }
  for (const t of tokens) if (t.type === 'COMMENT') fill(t, ' '.repeat(t.end - t.start));
  return { text: out.join(''), problems };
}
