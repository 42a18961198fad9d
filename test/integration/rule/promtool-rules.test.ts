/**
 * @module test/integration/rule/promtool-rules — `thanos-edge tools rules-test` and `rules-check`
 * against the real promtool 2.42, both run as processes on the same files:
 * - every unit-test file in test/fixtures/rules: same pass/fail, same exit code, and the same
 *   stdout and stderr byte for byte (failure texts, alert lists, `got:` samples);
 * - each promql_expr_test copied with a wrong expected sample, so that both tools print their
 *   `got:` list for every expression: the evaluated values compared sample for sample;
 * - rules-check on good and bad rule files: same exit code and the same problem named.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/compact-process.ts';
import { PROMTOOL, run } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'rules');
const CHECK = join(FIXTURES, 'check');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function promtool(args: string[]): Promise<Outcome> {
  const r = await run(PROMTOOL, args);
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

async function ours(args: string[]): Promise<Outcome> {
  const r = await runCli(['tools', ...args]);
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * promtool loads input series in Go map order, so where an error lists series in storage order
 * (many-to-many matching) its order changes from run to run: such lists are sorted here.
 */
function normalise(out: string): string {
  return out.replace(
    /(found duplicate series for the match group \{[^}]*\} on the (?:left|right) hand-side of the operation: \[)(.*?)(\];)/g,
    (_m, a: string, list: string, b: string) =>
      a +
      list
        .split(/(?<=\}), /)
        .sort()
        .join(', ') +
      b,
  );
}

const testFiles = async (): Promise<string[]> =>
  (await readdir(FIXTURES)).filter((f) => f.endsWith('.test.yml')).sort();

/** The `got:` lines of a promtool-shaped failure output. */
function gotLists(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('        got: '))
    .map((l) => l.slice('        got: '.length));
}

/** A got list as [labels, value] pairs, the value as the number it prints. */
function samples(list: string): [string, number][] {
  if (list === 'nil') return [];
  const out: [string, number][] = [];
  const re = /(\{[^}]*\}) (\S+?)(?:, |$)/g;
  for (let m = re.exec(list); m !== null; m = re.exec(list)) out.push([m[1]!, Number(m[2])]);
  return out;
}

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await makeTmpDir('rules-');
});
afterAll(async () => {
  await tmp.remove();
});

describe('rules-test against promtool test rules', () => {
  it('has at least 30 unit-test files, passing and failing', async () => {
    const files = await testFiles();
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it('gives the same result, exit code and output for every file', async () => {
    let passed = 0;
    let failed = 0;
    for (const f of await testFiles()) {
      const path = join(FIXTURES, f);
      const [p, o] = await Promise.all([
        promtool(['test', 'rules', path]),
        ours(['rules-test', path]),
      ]);
      expect({ file: f, code: o.code }).toEqual({ file: f, code: p.code });
      expect(o.stdout, f).toBe(p.stdout);
      expect(normalise(o.stderr), f).toBe(normalise(p.stderr));
      if (p.code === 0) passed++;
      else failed++;
    }
    // Both kinds are exercised: a suite where everything failed (or passed) would prove little.
    expect(passed).toBeGreaterThanOrEqual(15);
    expect(failed).toBeGreaterThanOrEqual(8);
  });

  it('prints the same for all files in one run', async () => {
    const paths = (await testFiles()).map((f) => join(FIXTURES, f));
    const [p, o] = await Promise.all([
      promtool(['test', 'rules', ...paths]),
      ours(['rules-test', ...paths]),
    ]);
    expect(p.code).toBe(1);
    expect(o.code).toBe(p.code);
    expect(o.stdout).toBe(p.stdout);
    expect(normalise(o.stderr)).toBe(normalise(p.stderr));
  });

  it('evaluates the same values for every promql_expr_test (wrong expectations make both print got:)', async () => {
    let compared = 0;
    let nonEmpty = 0;
    for (const f of await testFiles()) {
      const doc = parse(await readFile(join(FIXTURES, f), 'utf8')) as Record<string, unknown>;
      const tests = (doc.tests ?? []) as Record<string, unknown>[];
      if (!Array.isArray(tests) || !tests.some((t) => Array.isArray(t.promql_expr_test))) continue;
      doc.rule_files = ((doc.rule_files ?? []) as string[]).map((r) => join(FIXTURES, r));
      for (const t of tests) {
        delete t.alert_rule_test;
        for (const pt of (t.promql_expr_test ?? []) as Record<string, unknown>[])
          pt.exp_samples = [{ labels: '{__wrong__="expectation"}', value: -12345.678 }];
      }
      const copy = join(tmp.path, f);
      await writeFile(copy, stringify(doc));
      const [p, o] = await Promise.all([
        promtool(['test', 'rules', copy]),
        ours(['rules-test', copy]),
      ]);
      expect({ file: f, code: o.code }).toEqual({ file: f, code: p.code });
      const pg = gotLists(p.stderr);
      const og = gotLists(o.stderr);
      expect(og.length, f).toBe(pg.length);
      pg.forEach((list, i) => {
        const exp = samples(list);
        expect(samples(og[i]!), `${f}: ${list}`).toEqual(exp);
        if (exp.length > 0) nonEmpty++;
        compared++;
      });
    }
    expect(compared).toBeGreaterThanOrEqual(40);
    expect(nonEmpty).toBeGreaterThanOrEqual(35);
  });

  it('fails like promtool on a missing file, and --help exits 0', async () => {
    const missing = join(tmp.path, 'nope.yml');
    const [p, o] = await Promise.all([
      promtool(['test', 'rules', missing]),
      ours(['rules-test', missing]),
    ]);
    expect(o.code).toBe(p.code);
    expect(o.stderr.replace(/^thanos-edge:/, 'promtool:')).toBe(p.stderr);
    const h = await ours(['rules-test', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/usage: thanos-edge tools rules-test/);
  });
});

/** The problem each bad file must be reported with (a key substring of promtool's message). */
const CHECK_KEYS: Record<string, string> = {
  'annrecord.yml': "invalid field 'annotations' in recording rule",
  'badannotationname.yml': 'invalid annotation name: bad name',
  'badexpr.yml': 'could not parse expression: 1:7: parse error: unclosed left parenthesis',
  'badfor.yml': 'not a valid duration string: "5x"',
  'badlabel.yml': 'invalid label name: bad-label',
  'badlabeltmpl.yml': 'label "sev": template: __alert_A:1: unexpected EOF',
  'badlimit.yml': 'into int',
  'badrecord.yml': 'invalid recording rule name: 1bad-name',
  'badtmpl.yml': 'annotation "summary": template: __alert_A:1: unclosed action',
  'badyaml.yml': 'yaml: line ',
  'both.yml': "only one of 'record' and 'alert' must be set",
  'dupgroup.yml': 'groupname: "g" is repeated in the same file',
  'dups.yml': 'lint error 1 duplicate rule(s) found.',
  'emptyname.yml': 'Groupname must not be empty',
  'forrecord.yml': "invalid field 'for' in recording rule",
  'keepfiringrecord.yml': "invalid field 'keep_firing_for' in recording rule",
  'metricnamelabel.yml': 'invalid label name: __name__',
  'neither.yml': "one of 'record' or 'alert' must be set",
  'noexpr.yml': "field 'expr' must be set in rule",
  'rulesnotlist.yml': 'cannot unmarshal !!map into []rulefmt.RuleNode',
  'tmplfunc.yml': 'function "nosuchfunc" not defined',
  // tmpl exists only in console templates, not in alert templates.
  'tmplnotalert.yml': 'function "tmpl" not defined',
  'undefinedvar.yml': 'undefined variable "$nosuch"',
  'unknown.yml': 'field foo not found in type rulefmt.RuleNode',
  'unknowngroup.yml': 'field evaluation_interval not found in type rulefmt.RuleGroup',
};

describe('rules-check against promtool check rules', () => {
  it('names the same problem with the same exit code for every bad file', async () => {
    const files = (await readdir(CHECK)).filter((f) => f.endsWith('.yml')).sort();
    for (const [f, key] of Object.entries(CHECK_KEYS)) expect(files, f).toContain(f);
    for (const f of Object.keys(CHECK_KEYS)) {
      const path = join(CHECK, f);
      const [p, o] = await Promise.all([
        promtool(['check', 'rules', path]),
        ours(['rules-check', path]),
      ]);
      expect({ file: f, code: o.code }).toEqual({ file: f, code: p.code });
      const key = CHECK_KEYS[f]!;
      expect(p.stderr, `promtool on ${f}`).toContain(key);
      expect(o.stderr, `ours on ${f}`).toContain(key);
      // Outside YAML syntax errors (the YAML libraries word those differently) the text is promtool's.
      if (f !== 'badyaml.yml') expect(o.stderr, f).toBe(p.stderr);
    }
  });

  it("accepts the good files with promtool's rule counts", async () => {
    const rules = (await readdir(join(FIXTURES, 'rules'))).filter((f) => f !== 'broken.yml');
    const paths = [
      join(CHECK, 'good.yml'),
      join(CHECK, 'empty.yml'),
      ...rules.map((r) => join(FIXTURES, 'rules', r)),
    ];
    const [p, o] = await Promise.all([
      promtool(['check', 'rules', ...paths]),
      ours(['rules-check', ...paths]),
    ]);
    expect(p.code).toBe(0);
    expect(o.code).toBe(0);
    expect(o.stdout).toBe(p.stdout);
    expect(o.stdout).toContain('SUCCESS: 3 rules found');
  });

  it('exits 3 on duplicate rules with --lint-fatal, 0 with --lint=none, and --help exits 0', async () => {
    const dups = join(CHECK, 'dups.yml');
    const [p, o] = await Promise.all([
      promtool(['check', 'rules', '--lint-fatal', dups]),
      ours(['rules-check', '--lint-fatal', dups]),
    ]);
    expect(o.code).toBe(p.code);
    expect(o.code).toBe(3);
    const [pn, on] = await Promise.all([
      promtool(['check', 'rules', '--lint=none', dups]),
      ours(['rules-check', '--lint=none', dups]),
    ]);
    expect(on.code).toBe(pn.code);
    expect(on.stdout).toBe(pn.stdout);
    const h = await ours(['rules-check', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/usage: thanos-edge tools rules-check/);
  });
});
