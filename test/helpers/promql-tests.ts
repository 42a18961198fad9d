/**
 * @module test/helpers/promql-tests — where Prometheus's own PromQL test scripts are (v2.42
 * `promql/testdata/*.test`): `$PROMQL_TESTS_DIR` (relative to the current directory), default
 * `../shared/promql-tests` beside the repository. They are Prometheus's files, not ours, so a clone
 * may not have them: the suites that read them are then skipped, and the skip says why in the
 * test's name — never failed, never silently passed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const DEFAULT_PROMQL_TESTS_DIR = resolve(REPO_ROOT, '../shared/promql-tests');

export interface PromqlTestScripts {
  /** The folder looked in (absolute). */
  readonly dir: string;
  /** Whether it is a folder. When false, `files` is empty and `missing` says so. */
  readonly found: boolean;
  /** Absolute paths of the folder's `*.test` scripts, sorted by name. */
  readonly files: readonly string[];
  /** Why the suites are skipped, for a test or suite name (empty when found). */
  readonly missing: string;
}

export function promqlTestScripts(env: NodeJS.ProcessEnv = process.env): PromqlTestScripts {
  const fromEnv = env.PROMQL_TESTS_DIR;
  const dir = fromEnv ? resolve(fromEnv) : DEFAULT_PROMQL_TESTS_DIR;
  let found = false;
  try {
    found = statSync(dir).isDirectory();
  } catch {
    // absent: found stays false
  }
  const files = found
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.test'))
        .sort()
        .map((f) => join(dir, f))
    : [];
  const missing = found
    ? ''
    : `SKIPPED: PROMQL_TESTS_DIR ${dir} not found` +
      (fromEnv ? '' : " (the default; point it at Prometheus v2.42's promql/testdata)");
  return { dir, found, files, missing };
}

/**
 * A test or suite name that carries the reason it is skipped, if it is. The reason also goes to
 * stderr, because vitest's default reporter counts skipped tests without naming them.
 */
export function nameWithSkipReason(name: string, scripts: PromqlTestScripts): string {
  if (scripts.found) return name;
  const named = `${name} — ${scripts.missing}`;
  console.warn(named);
  return named;
}
