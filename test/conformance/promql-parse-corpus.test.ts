/**
 * Every `eval` expression in Prometheus's v2.42 test scripts ($PROMQL_TESTS_DIR, default
 * ../shared/promql-tests) must parse: Prometheus's test runner parses them all before evaluating,
 * `eval_fail` ones included (those fail at evaluation). Their canonical text must parse back to the
 * same text. Skipped, with the reason in its name, where the scripts are not found.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatExpr } from '../../core/promql/format.ts';
import { parseExpr } from '../../core/promql/parser/parse.ts';
import { nameWithSkipReason, promqlTestScripts } from '../helpers/promql-tests.ts';

const scripts = promqlTestScripts();
// Prometheus promql/test.go's patEvalInstant.
const EVAL_LINE = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;

const cases: [string, string][] = [];
for (const file of scripts.files) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = EVAL_LINE.exec(line);
      if (m) cases.push([`${basename(file)}:${i + 1}`, m[3]!]);
    });
}

describe.runIf(scripts.found)(nameWithSkipReason('conformance script expressions', scripts), () => {
  it('finds the eval lines', () => {
    expect(cases.length).toBeGreaterThan(500);
  });

  it.each(cases)('%s parses: %s', (_where, query) => {
    const text = formatExpr(parseExpr(query));
    expect(formatExpr(parseExpr(text))).toBe(text);
  });
});
