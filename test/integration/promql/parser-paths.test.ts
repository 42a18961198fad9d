/**
 * Differential test of the parser's two paths: the stack-based structure parser
 * (core/promql/parser/structure.ts), which parses every clean query, and the lezer path it
 * replaced for them (still used to word syntax errors). Wherever the structure parser accepts a
 * query, both must build the same AST (positions, matchers, values) or fail with the same message;
 * corpus: the recorded Prometheus golden table, every `eval` expression of the conformance
 * scripts (when present) and 20,000 seeded generated queries, valid and broken.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../../core/labels/matcher.ts';
import { parseExpr, parseExprWithLezer } from '../../../core/promql/parser/parse.ts';
import golden from '../../../core/promql/parser/testdata/prometheus-2.42-parse.json';
import { promqlTestScripts } from '../../helpers/promql-tests.ts';
import { generateQueries } from './promql-query-gen.ts';

const EVAL_LINE =
  /^eval(?:_(?:fail|ordered))?\s+(?:instant|range)\s+(?:at\s+\S+\s+)?(?:from\s.+?\s+to\s.+?\s+step\s+\S+\s+)?(.+)$/;

/** The AST as comparable text (a matcher by its type, name and value), or the error message. */
function outcome(parse: (q: string) => unknown, query: string): string {
  try {
    return JSON.stringify(parse(query), (_k, v: unknown) =>
      v instanceof Matcher ? `${v.name}${v.type}${JSON.stringify(v.value)}` : v,
    );
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

async function corpus(): Promise<string[]> {
  const out = (golden as { query: string }[]).map((c) => c.query);
  const scripts = promqlTestScripts();
  for (const f of scripts.files) {
    for (const line of (await readFile(f, 'utf8')).split('\n')) {
      const m = EVAL_LINE.exec(line.trim());
      if (m) out.push(m[1]!);
    }
  }
  out.push(...generateQueries(18, 10_000), ...generateQueries(19, 10_000, 0.1, true));
  return out;
}

describe('structure parser vs lezer path', () => {
  it('build the same AST or the same error for every corpus query', async () => {
    const queries = await corpus();
    const failures: string[] = [];
    let bothParsed = 0;
    for (const q of queries) {
      const a = outcome(parseExpr, q);
      const b = outcome(parseExprWithLezer, q);
      if (a !== b) failures.push(`${JSON.stringify(q)}\n  structure: ${a}\n  lezer:     ${b}`);
      else if (!a.startsWith('error: ')) bothParsed++;
    }
    expect(failures.slice(0, 20), failures.slice(0, 20).join('\n')).toEqual([]);
    // The corpus exercises the structure parser, not only error paths.
    expect(bothParsed).toBeGreaterThan(3000);
  });
});
