/**
 * @module test/integration/rule/check-fuzz — random rule files, valid and broken in random ways
 * (bad names, labels, durations, expressions and templates, fields in the wrong rule kind or
 * unknown, wrong YAML types, duplicate groups and rules), checked by the real promtool 2.42 and
 * by `thanos-edge tools rules-check`: same exit code, same messages. promtool reports problems
 * of one rule's labels and annotations in Go map order, so lines are compared as sets. Seeded.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/compact-process.ts';
import { PROMTOOL, run } from '../../helpers/promtool.ts';
import { Random } from '../../helpers/random.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)]!;

/** A valid choice, or with probability `pBad` an invalid one. */
const choose = <T>(r: Random, good: readonly T[], bad: readonly T[], pBad = 0.05): T =>
  r.chance(pBad) ? pick(r, bad) : pick(r, good);

const NAMES = ['job:up:sum', 'up_total', 'a', ':colon:ok', 'High'];
const BAD_NAMES = ['1bad', 'bad-name', 'bad name', ''];
const EXPRS = [
  'up',
  'sum by (job) (rate(x[5m]))',
  'up == 0',
  'absent(up{job="x"})',
  'x > on (a) group_left y',
];
const BAD_EXPRS = ['sum(up', 'up{', 'nosuchfn(up)', '', 'rate(x[5m)'];
const LABEL_NAMES = ['severity', 'team', '_ok'];
const BAD_LABEL_NAMES = ['bad-label', '__name__', '9x'];
const TEMPLATES = [
  'plain',
  '{{ $labels.job }}',
  '{{ $value | humanize }}',
  '{{ if gt $value 1.0 }}x{{ end }}',
];
const BAD_TEMPLATES = [
  '{{ if }}',
  '{{ nosuch }}',
  '{{ $x }}',
  '{{ range }}',
  '{{ .Labels.a ',
  '{{ end }}',
];
const DURATIONS = ['5m', '1h30m', '0s', '10m'];
const BAD_DURATIONS = ['5x', '-1m', '10'];

function rule(r: Random): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const alert = r.chance(0.5);
  const both = r.chance(0.03);
  if (!alert || both) out.record = choose(r, NAMES, BAD_NAMES);
  if (alert || both) out.alert = choose(r, NAMES, BAD_NAMES);
  if (r.chance(0.97)) out.expr = choose(r, EXPRS, BAD_EXPRS);
  if (alert ? r.chance(0.5) : r.chance(0.03)) out.for = choose(r, DURATIONS, BAD_DURATIONS);
  if (alert ? r.chance(0.2) : r.chance(0.02))
    out.keep_firing_for = choose(r, DURATIONS, BAD_DURATIONS);
  if (r.chance(0.5))
    out.labels = { [choose(r, LABEL_NAMES, BAD_LABEL_NAMES)]: choose(r, TEMPLATES, BAD_TEMPLATES) };
  if (alert ? r.chance(0.5) : r.chance(0.03))
    out.annotations = {
      [choose(r, LABEL_NAMES, BAD_LABEL_NAMES)]: choose(r, TEMPLATES, BAD_TEMPLATES),
    };
  if (r.chance(0.01)) out.unknown_field = 'x';
  if (r.chance(0.01)) out.labels = ['not', 'a', 'map'];
  return out;
}

function ruleFile(r: Random): unknown {
  const groups = Array.from({ length: r.intBetween(1, 3) }, (_, i) => {
    const g: Record<string, unknown> = {
      name: r.chance(0.03) ? '' : r.chance(0.05) ? 'dup' : `g${i}`,
      rules: Array.from({ length: r.intBetween(1, 4) }, () => rule(r)),
    };
    if (r.chance(0.2)) g.interval = choose(r, DURATIONS, BAD_DURATIONS);
    if (r.chance(0.1)) g.limit = choose<number | string>(r, [0, 10], ['many']);
    if (r.chance(0.01)) g.evaluation_interval = '1m';
    return g;
  });
  return { groups };
}

const lines = (s: string): string[] => s.split('\n').sort();

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await makeTmpDir('rules-check-fuzz-');
});
afterAll(async () => {
  await tmp.remove();
});

describe('random rule files: rules-check vs promtool check rules', () => {
  // Four batches of 20 seeds, so no single test runs long on a loaded machine.
  it.each([0, 1, 2, 3])(
    'reports the same problems with the same exit codes (batch %i)',
    async (batch) => {
      let failing = 0;
      const mismatches: string[] = [];
      for (let seed = batch * 20 + 1; seed <= batch * 20 + 20; seed++) {
        const file = join(tmp.path, `rules-${seed}.yml`);
        await writeFile(file, stringify(ruleFile(new Random(seed))));
        const [p, o] = await Promise.all([
          run(PROMTOOL, ['check', 'rules', file]),
          runCli(['tools', 'rules-check', file]),
        ]);
        const same =
          o.code === p.code &&
          o.stdout === p.stdout.toString() &&
          JSON.stringify(lines(o.stderr)) === JSON.stringify(lines(p.stderr));
        if (!same)
          mismatches.push(
            `seed ${seed} (exit ${p.code} vs ${o.code}):\n${p.stderr}---\n${o.stderr}`,
          );
        if (p.code !== 0) failing++;
      }
      expect(mismatches).toEqual([]);
      // Mostly broken files, but not only.
      expect(failing).toBeGreaterThan(3);
      expect(failing).toBeLessThan(20);
    },
  );
});
