/**
 * @module test/conformance/conformance.test — every PromQL test script from Prometheus 2.42
 * (../shared/promql-tests) must pass against the engine: one vitest test per file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from './runner.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const dir = resolve(repoRoot, '../shared/promql-tests');
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.test'))
      .sort()
  : [];

describe('PromQL conformance (Prometheus 2.42 test scripts)', () => {
  it('finds the scripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, async () => {
      const res = await runScript(readFileSync(join(dir, f), 'utf8'));
      const report = res.failed.map((x) => `${f}:${x.line}: ${x.expr}\n  ${x.message}`).join('\n');
      if (res.failed.length > 0) console.log(report);
      expect(report).toBe('');
      expect(res.passed).toBeGreaterThan(0);
    });
  }
});
