/**
 * @module sidecar-agent/cli/rules-check — `thanos-edge tools rules-check FILE…`, promtool 2.42's
 * `check rules`: `Checking FILE`, then `  SUCCESS: N rules found` or `  FAILED:` with each
 * problem as `FILE: …` on stderr. Exit 1 when a file has errors; duplicate rules (same metric
 * and labels) are a lint finding: reported, exit 0 unless --lint-fatal (then 3).
 */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../core/errors.ts';
import { compareStrings, labelsFrom } from '../../core/labels/labels.ts';
import { compareLabels, type Labels } from '../../core/labels/labels.ts';
import { parseRuleFile, RuleFileError, type RuleGroupDef } from '../../core/rule/rule-file.ts';
import { UsageError, type Command } from './command.ts';
import { firstMissing, missingPathMessage } from './rules-files.ts';

const LINT_ERROR_EXIT = 3;

const USAGE = `usage: thanos-edge tools rules-check [<flags>] <rule-files>...

Check if the rule files are valid or not (promtool check rules).

Flags:
  --lint=duplicate-rules  Linting checks to apply. One of: all, duplicate-rules, none.
  --lint-fatal            Make lint errors exit with exit code 3.

Args:
  <rule-files>  The rule files to check.
`;

interface RuleKey {
  readonly metric: string;
  readonly labels: Labels;
}

const cmp = (a: RuleKey, b: RuleKey): number =>
  compareStrings(a.metric, b.metric) || compareLabels(a.labels, b.labels);

/** promtool's checkDuplicates: rules with the same metric (alert or record name) and labels. */
export function duplicateRules(groups: readonly RuleGroupDef[]): RuleKey[] {
  const rules: RuleKey[] = groups.flatMap((g) =>
    g.rules.map((r) => ({ metric: r.alert ?? r.record ?? '', labels: labelsFrom(r.labels) })),
  );
  rules.sort(cmp);
  const dups: RuleKey[] = [];
  for (let i = 1; i < rules.length; i++) {
    if (
      cmp(rules[i - 1]!, rules[i]!) === 0 &&
      (dups.length === 0 || cmp(rules[i - 1]!, dups[dups.length - 1]!) !== 0)
    )
      dups.push(rules[i]!);
  }
  return dups;
}

function lintMessage(dups: readonly RuleKey[]): string {
  let msg = `lint error ${dups.length} duplicate rule(s) found.\n`;
  for (const d of dups) {
    msg += `Metric: ${d.metric}\nLabel(s):\n`;
    for (const l of d.labels) msg += `\t${l.name}: ${l.value}\n`;
  }
  return `${msg}Might cause inconsistency while recording expressions`;
}

export async function rulesCheck(
  files: readonly string[],
  lint: boolean,
  lintFatal: boolean,
): Promise<number> {
  let failed = false;
  let hasErrors = false;
  for (const f of files) {
    process.stdout.write(`Checking ${f}\n`);
    let problems: string[] = [];
    let lintOnly = false;
    try {
      const groups = parseRuleFile(await readFile(f, 'utf8'));
      const n = groups.reduce((a, g) => a + g.rules.length, 0);
      const dups = lint ? duplicateRules(groups) : [];
      if (dups.length > 0) {
        problems = [lintMessage(dups)];
        lintOnly = true;
      } else process.stdout.write(`  SUCCESS: ${n} rules found\n`);
    } catch (err) {
      if (err instanceof RuleFileError) problems = err.problems.map((p) => `${f}: ${p}`);
      else {
        const e = err as NodeJS.ErrnoException;
        problems = [
          e.code === 'ENOENT'
            ? `${f}: open ${f}: no such file or directory`
            : `${f}: ${errorMessage(err)}`,
        ];
      }
    }
    if (problems.length > 0) {
      process.stderr.write(`  FAILED:\n${problems.join('\n')}\n`);
      failed = true;
      hasErrors ||= !lintOnly;
    }
    process.stdout.write('\n');
  }
  if (failed && hasErrors) return 1;
  if (failed && lintFatal) return LINT_ERROR_EXIT;
  return 0;
}

export const rulesCheckCommand: Command = {
  path: ['tools', 'rules-check'],
  aliases: [['check', 'rules']],
  summary: 'Check if the rule files are valid (promtool check rules).',
  async run(args) {
    let lint = true;
    let lintFatal = false;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--help' || a === '-h') {
        process.stdout.write(USAGE);
        return 0;
      }
      const m = /^--lint(?:=(.*))?$/.exec(a);
      if (m) {
        const v = m[1] ?? args[++i];
        if (v === undefined) throw new UsageError('expected argument for flag --lint');
        if (!['all', 'duplicate-rules', 'none'].includes(v))
          throw new UsageError(`invalid --lint value ${JSON.stringify(v)}`);
        lint = v !== 'none';
        continue;
      }
      if (a === '--lint-fatal') {
        lintFatal = true;
        continue;
      }
      if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown long flag '${a}'`);
      files.push(a);
    }
    if (files.length === 0) throw new UsageError("required argument 'rule-files' not provided");
    const missing = await firstMissing(files);
    if (missing !== undefined) {
      process.stderr.write(missingPathMessage(missing));
      return 1;
    }
    return rulesCheck(files, lint, lintFatal);
  },
};
