/**
 * @module core/promql/parser/parse-memo — parsed queries kept for the runtime's life (an isolate,
 * a process). A dashboard asks the same queries on every refresh, and the frontend and the
 * querier each parse every query they see; a parse costs a few tenths of a millisecond, a
 * noticeable part of a small query's answer. An AST is never modified once parsed (the engine's
 * preprocessing copies what it changes), so one serves every request that asks for its text.
 * Failures are not kept: a bad query is parsed again, and its error is made again.
 */
import type { Expr } from '../ast.ts';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './limits.ts';
import { parseExpr } from './parse.ts';

/** Queries kept (least recently used dropped first). */
export const PARSE_MEMO_ENTRIES = 512;
/** Longer queries are parsed each time: rare, and not worth holding. */
export const PARSE_MEMO_MAX_CHARS = 4096;

const memo = new Map<string, Expr>();

/** `parseExpr`, answered from the memo when the same text was parsed under the same limits. */
export function parseExprMemo(query: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Expr {
  if (query.length > PARSE_MEMO_MAX_CHARS) return parseExpr(query, limits);
  const key = `${limits.maxLength}\u0000${limits.maxDepth}\u0000${query}`;
  const hit = memo.get(key);
  if (hit !== undefined) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const expr = parseExpr(query, limits);
  memo.set(key, expr);
  if (memo.size > PARSE_MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
  return expr;
}
