/** @module core/regexp — RE2 (Go regexp) semantics for label matchers and PromQL functions. */
export { Re2SyntaxError, type Re2Node } from './ast.ts';
export { parseRe2 } from './parse.ts';
export { compileRe2, re2ToSource } from './translate.ts';
export { Re2Nfa } from './nfa.ts';
export { FastRegexMatcher, type FastPath } from './fast-regex-matcher.ts';
export { compileSubmatch, expandTemplate, type Groups, type SubmatchRegexp } from './submatch.ts';
