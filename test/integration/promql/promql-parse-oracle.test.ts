/**
 * Differential test of the PromQL parser and printer against a real Prometheus 2.42 (Debian
 * package, empty config, free loopback port). For every query of the recorded golden table
 * (core/promql/parser/testdata) and every `eval` expression of the conformance scripts
 * ($PROMQL_TESTS_DIR, default ../shared/promql-tests; without them that case is skipped, saying so):
 *   - `/api/v1/format_query` of Prometheus must equal the recorded answer (so the golden file the
 *     unit tests use is proven to be Prometheus's), and
 *   - our parseExpr + prettyExpr must give the same text, or fail with the same message;
 *   - for invalid queries `/api/v1/query` must also answer `bad_data`, as our BadDataError maps;
 *   - and the same for 4000 seeded random queries (promql-query-gen.ts), valid and broken ones.
 * Known gap: a ONE-letter unknown function (`f(x)`) with another error inside its call can report
 * a different first error than Prometheus (lezer cannot parse such a call; see shadow.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadDataError } from '../../../core/errors.ts';
import { prettyExpr } from '../../../core/promql/format.ts';
import { parseExpr } from '../../../core/promql/parser/parse.ts';
import golden from '../../../core/promql/parser/testdata/prometheus-2.42-parse.json';
import { generateQueries } from './promql-query-gen.ts';
import { freePort } from '../../helpers/ports.ts';
import { nameWithSkipReason, promqlTestScripts } from '../../helpers/promql-tests.ts';

interface Answer {
  readonly formatted?: string;
  readonly error?: string;
  readonly errorType?: string;
}

const scripts = promqlTestScripts();
const SCRIPTS_CASE = nameWithSkipReason(
  'every eval expression of the conformance scripts parses and prints as in Prometheus',
  scripts,
);
const EVAL_LINE = /^eval(?:_(?:fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;

let proc: ChildProcess | undefined;
let dir: string | undefined;
let base = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'promql-parse-oracle-'));
  await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('prometheus did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function prometheus(path: string, query: string): Promise<Answer> {
  const url = new URL(`${base}${path}`);
  url.searchParams.set('query', query);
  if (path === '/api/v1/query') url.searchParams.set('time', '1000');
  const r = (await (await fetch(url)).json()) as {
    status: string;
    data?: unknown;
    error?: string;
    errorType?: string;
  };
  if (r.status === 'success') return { formatted: String(r.data) };
  return {
    error: String(r.error).replace(/^invalid parameter "query": /, ''),
    errorType: r.errorType!,
  };
}

function ours(query: string): Answer {
  try {
    return { formatted: prettyExpr(parseExpr(query)) };
  } catch (e) {
    if (!(e instanceof BadDataError)) throw e;
    return { error: e.message, errorType: e.kind };
  }
}

async function corpusExpressions(): Promise<string[]> {
  const out: string[] = [];
  for (const f of scripts.files) {
    for (const line of (await readFile(f, 'utf8')).split('\n')) {
      const m = EVAL_LINE.exec(line);
      if (m) out.push(m[2]!);
    }
  }
  return out;
}

describe('PromQL parser vs Prometheus 2.42', () => {
  it('the recorded golden table is what Prometheus answers, and we answer the same', async () => {
    const cases = golden as (Answer & { query: string })[];
    const failures: string[] = [];
    for (const c of cases) {
      const theirs = await prometheus('/api/v1/format_query', c.query);
      const recorded: Answer =
        c.formatted !== undefined
          ? { formatted: c.formatted }
          : { error: c.error!, errorType: c.errorType! };
      if (JSON.stringify(theirs) !== JSON.stringify(recorded)) {
        failures.push(
          `${JSON.stringify(c.query)}: golden is stale\n  recorded:   ${JSON.stringify(recorded)}\n  prometheus: ${JSON.stringify(theirs)}`,
        );
      }
      const us = ours(c.query);
      if (JSON.stringify(us) !== JSON.stringify(theirs)) {
        failures.push(
          `${JSON.stringify(c.query)}\n  ours:       ${JSON.stringify(us)}\n  prometheus: ${JSON.stringify(theirs)}`,
        );
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(cases.filter((c) => c.error).length).toBeGreaterThan(250);
    expect(cases.filter((c) => c.formatted).length).toBeGreaterThan(250);
  });

  it('invalid queries are bad_data on /api/v1/query too', async () => {
    const invalid = (golden as (Answer & { query: string })[]).filter((c) => c.error !== undefined);
    const failures: string[] = [];
    for (const c of invalid) {
      const r = await prometheus('/api/v1/query', c.query);
      if (r.errorType !== 'bad_data' || r.error !== c.error)
        failures.push(`${JSON.stringify(c.query)}: ${JSON.stringify(r)}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it.runIf(scripts.found)(SCRIPTS_CASE, async () => {
    const exprs = await corpusExpressions();
    expect(exprs.length).toBeGreaterThan(500);
    const failures: string[] = [];
    for (const q of exprs) {
      const theirs = await prometheus('/api/v1/format_query', q);
      const us = ours(q);
      if (JSON.stringify(us) !== JSON.stringify(theirs)) {
        failures.push(
          `${JSON.stringify(q)}\n  ours:       ${JSON.stringify(us)}\n  prometheus: ${JSON.stringify(theirs)}`,
        );
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('4000 generated queries (valid and broken) print or fail exactly as in Prometheus', async () => {
    const queries = [
      ...generateQueries(20260426, 1500),
      ...generateQueries(20260427, 2500, 0.05, true),
    ];
    const failures: string[] = [];
    let invalid = 0;
    for (const q of queries) {
      const theirs = await prometheus('/api/v1/format_query', q);
      if (theirs.error !== undefined) invalid++;
      const us = ours(q);
      if (JSON.stringify(us) !== JSON.stringify(theirs)) {
        failures.push(
          `${JSON.stringify(q)}\n  ours:       ${JSON.stringify(us)}\n  prometheus: ${JSON.stringify(theirs)}`,
        );
      }
    }
    expect(
      failures.slice(0, 20),
      `${failures.length} differ:\n${failures.slice(0, 20).join('\n')}`,
    ).toEqual([]);
    // Both paths must be exercised.
    expect(invalid).toBeGreaterThan(1000);
    expect(queries.length - invalid).toBeGreaterThan(1000);
  });
});
