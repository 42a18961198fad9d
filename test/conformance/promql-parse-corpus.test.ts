/**
 * Every `eval` expression in Prometheus's v2.42 test scripts (../shared/promql-tests) must parse:
 * Prometheus's test runner parses them all before evaluating, `eval_fail` ones included (those fail
 * at evaluation). Their canonical text must parse back to the same text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatExpr } from '../../core/promql/format.ts';
import { parseExpr } from '../../core/promql/parser/parse.ts';

const SCRIPTS_DIR = new URL('../../../shared/promql-tests/', import.meta.url);
// Prometheus promql/test.go's patEvalInstant.
const EVAL_LINE = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;

const cases: [string, string][] = [];
for (const file of readdirSync(SCRIPTS_DIR)
  .filter((n) => n.endsWith('.test'))
  .sort()) {
  readFileSync(new URL(file, SCRIPTS_DIR), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = EVAL_LINE.exec(line);
      if (m) cases.push([`${file}:${i + 1}`, m[3]!]);
    });
}

describe('conformance script expressions', () => {
  it('finds the eval lines', () => {
    expect(cases.length).toBeGreaterThan(500);
  });

  it.each(cases)('%s parses: %s', (_where, query) => {
    const text = formatExpr(parseExpr(query));
    expect(formatExpr(parseExpr(text))).toBe(text);
  });
});
