/** @module core/promql/parser — PromQL parser API (re-exports only). */
export { parseExpr } from './parse.ts';
export { ParseError } from './errors.ts';
export { allFunctions, getFunction } from './functions.ts';
export { parsePositiveDuration } from './durations.ts';
export { documentedType, exprType } from './check.ts';
