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

/** Queries kept at most (least recently used dropped first). */
export const PARSE_MEMO_ENTRIES = 512;
/** Longer queries are parsed each time: rare, and not worth holding. */
export const PARSE_MEMO_MAX_CHARS = 4096;
/**
 * Characters of all kept queries together. An AST can take ~200 bytes per character of its text
 * (`up+up+…` of 4,096 characters: ~820 KiB), so a bound on entries alone would let 512 such
 * queries hold ~400 MB of an isolate's 128 MB; this keeps the memo under ~7 MB whatever is asked.
 */
export const PARSE_MEMO_TOTAL_CHARS = 32 * 1024;

const memo = new Map<string, { readonly expr: Expr; readonly chars: number }>();
let memoChars = 0;

/** Characters of the queries the memo holds (for tests). */
export function parseMemoChars(): number {
  return memoChars;
}

/** `parseExpr`, answered from the memo when the same text was parsed under the same limits. */
export function parseExprMemo(query: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Expr {
  if (query.length > PARSE_MEMO_MAX_CHARS) return parseExpr(query, limits);
  const key = `${limits.maxLength}\u0000${limits.maxDepth}\u0000${query}`;
  const hit = memo.get(key);
  if (hit !== undefined) {
    memo.delete(key);
    memo.set(key, hit);
    return hit.expr;
  }
  const expr = parseExpr(query, limits);
  memo.set(key, { expr, chars: query.length });
  memoChars += query.length;
  for (const [oldest, e] of memo) {
    if (memo.size <= PARSE_MEMO_ENTRIES && memoChars <= PARSE_MEMO_TOTAL_CHARS) break;
    memo.delete(oldest);
    memoChars -= e.chars;
  }
  return expr;
}
