/** @module core/labels — label sets, matchers (RE2 semantics from core/regexp), series selectors. */
export * from './labels.ts';
export * from './builder.ts';
export * from './matcher.ts';
export * from './selector.ts';
