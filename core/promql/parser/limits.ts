/**
 * @module core/promql/parser/limits — how large a query the parser accepts. Prometheus has no
 * such limits (Go's form parsing caps a request at 10 MiB and its stacks grow); an isolate has
 * 128 MB and one thread, so a query's size and nesting are bounded before they cost memory or
 * time. Every walk over the AST is iterative, so the depth limit guards memory and any walk
 * outside this package, not the JavaScript stack.
 */
import { BadDataError } from '../../errors.ts';
import type { Expr } from '../ast.ts';
import { exprChildren } from '../ast.ts';

export interface ParseLimits {
  /** UTF-8 bytes of the query text (env QUERY_MAX_LENGTH). */
  readonly maxLength: number;
  /** Nesting depth of the parsed expression, the root being depth 1 (env QUERY_MAX_DEPTH). */
  readonly maxDepth: number;
}

/**
 * 128 KiB: the densest query of that size (`up+up+…`, ~43,000 selectors) parses in under a second
 * with ~50 MB of transient heap in Node; 1 MiB took ~580 MB, more than an isolate has. Real
 * dashboard queries are a few KiB; a long regex alternation is one string token, cheap to lex
 * (and bounded by the regex limit).
 */
export const DEFAULT_MAX_QUERY_LENGTH = 128 * 1024;

/**
 * 50,000 levels: above every hostile query Prometheus 2.42 answers within the length limit's
 * reach (10,000 parentheses, 40,000-term sums, 1,400 nested aggregations; a chain of 20,000 `-`
 * before a number folds into the literal).
 */
export const DEFAULT_MAX_QUERY_DEPTH = 50_000;

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxLength: DEFAULT_MAX_QUERY_LENGTH,
  maxDepth: DEFAULT_MAX_QUERY_DEPTH,
};

/** The query is longer than ParseLimits.maxLength. */
export class QueryTooLongError extends BadDataError {}

/** The parsed query nests deeper than ParseLimits.maxDepth. */
export class QueryTooDeepError extends BadDataError {}

/** Throws QueryTooLongError when `bytes` exceeds the limit (checked before lexing). */
export function checkQueryLength(bytes: number, limits: ParseLimits): void {
  if (limits.maxLength > 0 && bytes > limits.maxLength) {
    throw new QueryTooLongError(
      `query too long: ${bytes} bytes exceeds the limit of ${limits.maxLength} bytes (QUERY_MAX_LENGTH)`,
    );
  }
}

/** The deepest nesting of `root` (1 for a leaf), found without recursion. */
export function exprDepth(root: Expr): number {
  let max = 0;
  const nodes: Expr[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const e = nodes.pop()!;
    const d = depths.pop()!;
    if (d > max) max = d;
    for (const c of exprChildren(e)) {
      nodes.push(c);
      depths.push(d + 1);
    }
  }
  return max;
}

/** Throws QueryTooDeepError when `root` nests deeper than the limit. */
export function checkQueryDepth(root: Expr, limits: ParseLimits): void {
  if (limits.maxDepth <= 0) return;
  const depth = exprDepth(root);
  if (depth > limits.maxDepth) {
    throw new QueryTooDeepError(
      `query nesting too deep: ${depth} levels exceeds the limit of ${limits.maxDepth} (QUERY_MAX_DEPTH)`,
    );
  }
}
