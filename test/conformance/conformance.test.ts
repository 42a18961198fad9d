/**
 * @module test/conformance/conformance.test — every PromQL test script from Prometheus 2.42
 * ($PROMQL_TESTS_DIR, default ../shared/promql-tests) must pass against the engine: one vitest
 * test per file. Skipped, with the reason in its name, where the scripts are not found.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nameWithSkipReason, promqlTestScripts } from '../helpers/promql-tests.ts';
import { runScript } from './runner.ts';

const scripts = promqlTestScripts();
const SUITE = nameWithSkipReason('PromQL conformance (Prometheus 2.42 test scripts)', scripts);

describe.runIf(scripts.found)(SUITE, () => {
  it('finds the scripts', () => {
    expect(scripts.files.length).toBeGreaterThan(0);
  });
  for (const file of scripts.files) {
    const f = basename(file);
    it(f, async () => {
      const res = await runScript(readFileSync(file, 'utf8'));
      const report = res.failed.map((x) => `${f}:${x.line}: ${x.expr}\n  ${x.message}`).join('\n');
      if (res.failed.length > 0) console.log(report);
      expect(report).toBe('');
      expect(res.passed).toBeGreaterThan(0);
    });
  }
});
