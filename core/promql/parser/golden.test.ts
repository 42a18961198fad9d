/**
 * Prometheus 2.42's own answers for 571 queries (recorded from `/api/v1/format_query` of the real
 * binary; test/integration/promql/promql-parse-oracle.test.ts re-checks this file against it): every valid
 * query must print as Prometheus prints it, every invalid one must fail with Prometheus's message.
 */
import { describe, expect, it } from 'vitest';
import { BadDataError } from '../../errors.ts';
import { prettyExpr } from '../format.ts';
import { parseExpr } from './parse.ts';
import golden from './testdata/prometheus-2.42-parse.json';

interface GoldenCase {
  query: string;
  formatted?: string;
  error?: string;
  errorType?: string;
}

const cases = golden as GoldenCase[];
const valid = cases.filter((c) => c.formatted !== undefined);
const invalid = cases.filter((c) => c.error !== undefined);

function errorOf(query: string): unknown {
  try {
    parseExpr(query);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('parser against recorded Prometheus 2.42 answers', () => {
  it('has both kinds of cases', () => {
    expect(valid.length).toBeGreaterThan(250);
    expect(invalid.length).toBeGreaterThan(250);
  });

  it.each(valid.map((c) => [c.query, c.formatted!]))('accepts %j', (query, formatted) => {
    const expr = parseExpr(query);
    expect(prettyExpr(expr)).toBe(formatted);
    // Prometheus's printed form parses back to the same text.
    expect(prettyExpr(parseExpr(formatted))).toBe(formatted);
  });

  it.each(invalid.map((c) => [c.query, c.error!]))('rejects %j', (query, message) => {
    const err = errorOf(query);
    expect(err).toBeInstanceOf(BadDataError);
    expect((err as Error).message).toBe(message);
  });
});
