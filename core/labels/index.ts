/** @module core/labels — label sets, matchers with Prometheus/RE2 regex semantics, series selectors. */
export * from './labels.ts';
export * from './builder.ts';
export * from './matcher.ts';
export * from './selector.ts';
export { FastRegexMatcher, type FastPath } from './regexp.ts';
export { Re2SyntaxError, compileRe2, re2ToSource } from './re2.ts';
export { goQuote } from './go-string.ts';
