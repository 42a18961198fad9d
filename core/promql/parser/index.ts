/** @module core/promql/parser — PromQL parser API (re-exports only). */
export { parseExpr } from './parse.ts';
export { ParseError } from './errors.ts';
export { allFunctions, getFunction } from './functions.ts';
export { parsePositiveDuration } from './durations.ts';
export { documentedType, exprType } from './check.ts';
export {
  DEFAULT_MAX_QUERY_DEPTH,
  DEFAULT_MAX_QUERY_LENGTH,
  DEFAULT_PARSE_LIMITS,
  QueryTooDeepError,
  QueryTooLongError,
  type ParseLimits,
} from './limits.ts';
