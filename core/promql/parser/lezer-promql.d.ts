/**
 * @module core/promql/parser/lezer-promql — types for `@prometheus-io/lezer-promql` 0.42: its
 * package.json `exports` map has no `types` condition, so bundler resolution finds no typings.
 */
declare module '@prometheus-io/lezer-promql' {
  import type { LRParser } from '@lezer/lr';
  export const parser: LRParser;
}
