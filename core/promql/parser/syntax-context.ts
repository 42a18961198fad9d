/**
 * @module core/promql/parser/syntax-context — the `in <context>, expected <what>` tail Prometheus
 * adds to `unexpected <token>` errors (its grammar's `error` productions). Lezer reports where
 * the syntax breaks; the tokens before that point tell which production Prometheus was in.
 */
import { isAggregatorToken, type Token, type TokenType } from './lexer.ts';

type Group = 'grouping' | 'call' | 'agg-body' | 'paren';

const GROUPING_OPENERS = new Set<TokenType>([
  'BY',
  'WITHOUT',
  'ON',
  'IGNORING',
  'GROUP_LEFT',
  'GROUP_RIGHT',
]);
const MATCH_OPS = new Set<TokenType>(['EQL', 'NEQ', 'EQL_REGEX', 'NEQ_REGEX']);

/** Tokens an expression can start with (Prometheus `metric_identifier` keywords included). */
export const EXPRESSION_STARTS = new Set<TokenType>([
  'IDENTIFIER',
  'METRIC_IDENTIFIER',
  'NUMBER',
  'STRING',
  'LEFT_PAREN',
  'LEFT_BRACE',
  'ADD',
  'SUB',
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
  'BY',
  'WITHOUT',
  'LAND',
  'LOR',
  'LUNLESS',
  'OFFSET',
  'START',
  'END',
]);

/** The context suffix (starting with ` in `) for an unexpected token at `code[idx]`, or ''. */
export function syntaxContext(
  code: readonly Token[],
  idx: number,
  metricNames: ReadonlySet<number> = new Set(),
): string {
  const groups: Group[] = [];
  let inBraces = false;
  let lastClosed: Group | undefined;
  let aggModifierOpen = false;
  let aggGrouping = false;
  for (let i = 0; i < idx; i++) {
    const t = code[i]!;
    const prev = code[i - 1];
    if (t.type === 'LEFT_BRACE') inBraces = true;
    else if (t.type === 'RIGHT_BRACE') inBraces = false;
    else if (t.type === 'LEFT_PAREN') {
      if (prev && GROUPING_OPENERS.has(prev.type)) groups.push('grouping');
      else if (prev?.type === 'IDENTIFIER') groups.push('call');
      else if (prev && isAggregatorToken(prev.type)) groups.push('agg-body');
      else if (prev?.type === 'RIGHT_PAREN' && lastClosed === 'grouping' && aggGrouping)
        groups.push('agg-body');
      else groups.push('paren');
    } else if (t.type === 'RIGHT_PAREN') {
      lastClosed = groups.pop();
      // Whether the grouping just closed was an aggregation's `by (...)` written before its body.
      aggGrouping = lastClosed === 'grouping' && aggModifierOpen;
    }
    if ((t.type === 'BY' || t.type === 'WITHOUT') && prev && isAggregatorToken(prev.type))
      aggModifierOpen = true;
    else if (
      t.type !== 'LEFT_PAREN' &&
      t.type !== 'RIGHT_PAREN' &&
      groups[groups.length - 1] !== 'grouping'
    )
      aggModifierOpen = false;
  }
  // A keyword standing as a metric name reads as an identifier.
  const typeAt = (i: number): TokenType | undefined => {
    const t = code[i];
    return t && metricNames.has(t.start) ? 'IDENTIFIER' : t?.type;
  };
  const p1 = typeAt(idx - 1);
  const p2 = typeAt(idx - 2);
  const p3 = typeAt(idx - 3);
  const tok = code[idx]?.type;

  if (inBraces) {
    if (p1 === 'IDENTIFIER') return ' in label matching, expected label matching operator';
    if (p1 && MATCH_OPS.has(p1)) return ' in label matching, expected string';
    if (p1 === 'STRING') return ' in label matching, expected "," or "}"';
    return ' in label matching, expected identifier or "}"';
  }
  if (groups[groups.length - 1] === 'grouping') {
    if (p1 === 'LEFT_PAREN' || p1 === 'COMMA') return ' in grouping opts, expected label';
    return ' in grouping opts, expected "," or ")"';
  }
  if (tok !== 'LEFT_PAREN') {
    // `by`/`without` are grouping keywords only right after an aggregator or its body; elsewhere a metric name.
    const aggModifier =
      (p1 === 'BY' || p1 === 'WITHOUT') &&
      p2 !== undefined &&
      (isAggregatorToken(p2) || (p2 === 'RIGHT_PAREN' && lastClosed === 'agg-body'));
    const groupModifier =
      (p1 === 'GROUP_LEFT' || p1 === 'GROUP_RIGHT') && !(tok && EXPRESSION_STARTS.has(tok));
    if (aggModifier || p1 === 'ON' || p1 === 'IGNORING' || groupModifier)
      return ' in grouping opts, expected "("';
  }
  if (p1 === 'OFFSET' || (p1 === 'SUB' && p2 === 'OFFSET')) return ' in offset, expected duration';
  if (
    p1 === 'AT' ||
    ((p1 === 'START' || p1 === 'END' || p1 === 'SUB' || p1 === 'ADD') && p2 === 'AT') ||
    (p1 === 'LEFT_PAREN' && p3 === 'AT')
  ) {
    return ' in @, expected timestamp';
  }
  if (p1 === 'LEFT_BRACKET') return ' in subquery selector, expected duration';
  if (p1 === 'DURATION' && p2 === 'LEFT_BRACKET')
    return ' in subquery or range, expected ":" or "]"';
  if (p1 === 'COLON') return ' in subquery selector, expected duration or "]"';
  if (p1 === 'DURATION' && p2 === 'COLON') return ' in subquery selector, expected "]"';
  // After a bare aggregator keyword Prometheus has read a metric name (`sum` is a valid name).
  if (p1 === 'RIGHT_PAREN' && tok !== 'LEFT_PAREN') {
    // `sum by (a)` followed by anything but the body.
    let depth = 0;
    for (let i = idx - 1; i >= 0; i--) {
      const t = code[i]!.type;
      if (t === 'RIGHT_PAREN') depth++;
      else if (t === 'LEFT_PAREN' && --depth === 0) {
        const opener = code[i - 1]?.type;
        const agg = code[i - 2]?.type;
        if ((opener === 'BY' || opener === 'WITHOUT') && agg && isAggregatorToken(agg))
          return ' in aggregation';
        break;
      }
    }
  }
  // Prometheus's `aggregate_op error` production catches any other error inside an aggregation.
  if (groups.includes('agg-body')) return ' in aggregation';
  return '';
}
