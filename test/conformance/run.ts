/**
 * @module test/conformance/run — `npm run conformance -- [dir|file …]`: runs Prometheus's PromQL
 * test scripts (default $PROMQL_TESTS_DIR, else ../shared/promql-tests) against the engine, prints
 * every failing case with file:line, and ends with `N passed, N failed`. Exit code 1 when any case
 * failed. Without arguments and without the default folder it says it skipped, and why.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promqlTestScripts } from '../helpers/promql-tests.ts';
import { runScript } from './runner.ts';

function scriptFiles(args: string[]): string[] {
  if (args.length === 0) {
    const scripts = promqlTestScripts();
    if (!scripts.found) console.log(scripts.missing);
    return [...scripts.files];
  }
  const files: string[] = [];
  for (const t of args) {
    if (statSync(t).isDirectory()) {
      for (const f of readdirSync(t).sort()) if (f.endsWith('.test')) files.push(join(t, f));
    } else files.push(t);
  }
  return files;
}

async function main(): Promise<void> {
  let passed = 0;
  let failed = 0;
  for (const file of scriptFiles(process.argv.slice(2).filter((a) => a !== '--'))) {
    let res;
    try {
      res = await runScript(readFileSync(file, 'utf8'));
    } catch (err) {
      console.log(`${file}: cannot run: ${err instanceof Error ? err.message : String(err)}`);
      failed++;
      continue;
    }
    for (const f of res.failed)
      console.log(`${file}:${f.line}: ${f.expr}\n  ${f.message.replace(/\n/g, '\n  ')}`);
    console.log(`# ${basename(file)}: ${res.passed} passed, ${res.failed.length} failed`);
    passed += res.passed;
    failed += res.failed.length;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
