/**
 * @module sidecar-agent/cli/rules-test — `thanos-edge tools rules-test FILE…`, promtool 2.42's
 * `test rules`: each unit-test file's result (`Unit Testing:  FILE`, then `  SUCCESS` on stdout or
 * `  FAILED:` and the failures on stderr); exit 0 when all passed, 1 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../core/errors.ts';
import { runUnitTestFile } from '../../core/rule/unittest/runner.ts';
import { UsageError, type Command } from './command.ts';
import { firstMissing, missingPathMessage, ruleFileLoader } from './rules-files.ts';

const USAGE = `usage: thanos-edge tools rules-test <test-rule-file>...

Unit tests for rules (promtool test rules).

Args:
  <test-rule-file>  The unit test file.
`;

export async function rulesTest(files: readonly string[]): Promise<number> {
  let failed = false;
  for (const f of files) {
    process.stdout.write(`Unit Testing:  ${f}\n`);
    let errs: string[];
    try {
      errs = await runUnitTestFile(await readFile(f, 'utf8'), ruleFileLoader(f));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      errs = [e.code === 'ENOENT' ? `open ${f}: no such file or directory` : errorMessage(err)];
    }
    if (errs.length > 0) {
      process.stderr.write('  FAILED:\n');
      for (const e of errs) {
        process.stderr.write(`${e}\n`);
        process.stdout.write('\n');
      }
      failed = true;
    } else {
      process.stdout.write('  SUCCESS\n');
    }
    process.stdout.write('\n');
  }
  return failed ? 1 : 0;
}

export const rulesTestCommand: Command = {
  path: ['tools', 'rules-test'],
  aliases: [['test', 'rules']],
  summary: 'Unit tests for rules (promtool test rules).',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    const bad = args.find((a) => a.startsWith('-') && a !== '-');
    if (bad !== undefined) throw new UsageError(`unknown long flag '${bad}'`);
    if (args.length === 0) throw new UsageError("required argument 'test-rule-file' not provided");
    const missing = await firstMissing(args);
    if (missing !== undefined) {
      process.stderr.write(missingPathMessage(missing));
      return 1;
    }
    return rulesTest(args);
  },
};
