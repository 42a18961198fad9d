/**
 * @module test/integration/rule/template-fuzz — alert templates on random values and label
 * strings, expanded by the real promtool 2.42 and by `thanos-edge tools rules-test`: printf with
 * random flags, widths, precisions and verbs, the humanize family, $value printing and
 * comparisons, string functions on random UTF-8 labels. The expected annotations are left empty,
 * so both tools print every expansion; their outputs must be byte-identical. Seeded: a failure
 * replays from the seed in its message.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goQuote } from '../../../core/gocompat/quote.ts';
import { runCli } from '../../helpers/compact-process.ts';
import { PROMTOOL, run } from '../../helpers/promtool.ts';
import { Random } from '../../helpers/random.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const SERIES = 40;
const TEMPLATES = 30;

function randomValue(r: Random): string {
  switch (r.int(6)) {
    case 0:
      return String(r.intBetween(-5000, 5000));
    case 1:
      return String((r.next() - 0.5) * 10 ** r.intBetween(-12, 12));
    case 2:
      return String(r.next() * 10 ** r.intBetween(-30, 30));
    case 3:
      return ['0', '1', '-1', '0.5', '1000', '1024', '999.5', '86400', '3600.25', '1e21'][
        r.int(10)
      ]!;
    case 4:
      return String(r.intBetween(0, 2_000_000_000) + r.int(1000) / 1000);
    default:
      return String(Math.round((r.next() - 0.5) * 1e6) / 100);
  }
}

const CHARS = [
  'a',
  'Z',
  '9',
  ' ',
  '-',
  '.',
  ':',
  '"',
  "'",
  '\\',
  '\t',
  'é',
  '日',
  '€',
  '😀',
  '%',
  '{',
  '}',
  '<',
  '&',
];

function randomLabel(r: Random): string {
  let s = '';
  for (let n = r.intBetween(1, 8); n > 0; n--) s += CHARS[r.int(CHARS.length)];
  return s;
}

function randomVerb(r: Random, forString: boolean): string {
  const flags = ['', '-', '+', ' ', '0', '#'].filter(() => r.chance(0.2)).join('');
  const width = r.chance(0.4) ? String(r.intBetween(1, 12)) : '';
  const prec = r.chance(0.4) ? `.${r.intBetween(0, 8)}` : '';
  const verbs = forString
    ? ['s', 'q', 'x', 'X', 'v', 'd']
    : ['v', 'f', 'F', 'e', 'E', 'g', 'G', 'd', 's'];
  return `%${flags}${width}${prec}${verbs[r.int(verbs.length)]}`;
}

const DURATIONS = ['1h30m', '90s', '1d', '2w', '500ms', '0', '1y', '3m2s'];
// Inside a Go string constant: `\\w` is the regexp's `\w`.
const PATTERNS = ['[0-9]+', '^[a-z]', '(\\\\w)(\\\\w)', '.', '', 'x*', '[^a-z]'];

function randomTemplate(r: Random): string {
  switch (r.int(14)) {
    case 9:
      return `{{ with query "fuzz_value{i=\\"0${r.int(10)}\\"}" }}{{ . | first | value | printf "%.3f" }}{{ else }}none{{ end }}`;
    case 10:
      return `{{ range query "topk(3, fuzz_value)" }}{{ .Labels.i }}={{ .Value }};{{ end }}`;
    case 11:
      return `{{ range $i, $s := query "bottomk(4, fuzz_value)" | sortByLabel "s" }}{{ $i }}{{ label "i" $s }}{{ end }} {{ len (query "fuzz_value > 0") }}`;
    case 12:
      return `{{ parseDuration "${DURATIONS[r.int(DURATIONS.length)]}" }} {{ humanizeDuration (parseDuration "${DURATIONS[r.int(DURATIONS.length)]}") }}`;
    case 13: {
      const p = PATTERNS[r.int(PATTERNS.length)]!;
      return `{{ reReplaceAll "${p}" "<$1>" $labels.s }}|{{ match "${p}" $labels.s }}|{{ title $labels.s }}`;
    }
    case 0:
    case 1:
      return `{{ printf "${randomVerb(r, false)}|${randomVerb(r, false)}" $value $value }}`;
    case 2:
      return `{{ printf "${randomVerb(r, true)}" $labels.s }}`;
    case 3:
      return `{{ $value }} {{ . }}`;
    case 4: {
      const f = [
        'humanize',
        'humanize1024',
        'humanizeDuration',
        'humanizePercentage',
        'humanizeTimestamp',
      ];
      return `{{ ${f[r.int(f.length)]} $value }}`;
    }
    case 5: {
      const op = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'][r.int(6)]!;
      return `{{ if ${op} $value ${randomValue(r).replace(/^(-?\d+)$/, '$1.0')} }}yes{{ else }}no{{ end }}`;
    }
    case 6: {
      const f = [
        'toUpper',
        'toLower',
        'title',
        'len',
        'html',
        'urlquery',
        'stripPort',
        'stripDomain',
      ];
      return `{{ ${f[r.int(f.length)]} $labels.s }}`;
    }
    case 7:
      return `{{ printf "%v %q" (index $labels "s") $labels.s }} {{- "  trimmed  " -}} !`;
    default:
      return `{{ reReplaceAll "[^a-z]+" "_" $labels.s }} {{ match "[0-9]" $labels.s }}`;
  }
}

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await makeTmpDir('rules-fuzz-');
});
afterAll(async () => {
  await tmp.remove();
});

describe('alert templates on random values: thanos-edge vs promtool', () => {
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))('seed %i', async (seed) => {
    const r = new Random(seed);
    const annotations: Record<string, string> = {};
    for (let i = 0; i < TEMPLATES; i++)
      annotations[`t${String(i).padStart(2, '0')}`] = randomTemplate(r);
    const rules = {
      groups: [{ name: 'fuzz', rules: [{ alert: 'Fuzz', expr: 'fuzz_value', annotations }] }],
    };
    // Distinct values: with ties, which series topk/bottomk keep depends on series order, and
    // promtool loads series in Go map order.
    const seen = new Set<number>();
    const series = Array.from({ length: SERIES }, (_, i) => {
      let v = randomValue(r);
      while (seen.has(Number(v))) v = randomValue(r);
      seen.add(Number(v));
      return {
        series: `fuzz_value{i="${String(i).padStart(2, '0')}",s=${goQuote(randomLabel(r))}}`,
        values: v,
      };
    });
    const test = {
      rule_files: [join(tmp.path, `rules-${seed}.yml`)],
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [{ eval_time: '0m', alertname: 'Fuzz' }],
        },
      ],
    };
    await writeFile(join(tmp.path, `rules-${seed}.yml`), stringify(rules));
    const file = join(tmp.path, `test-${seed}.yml`);
    await writeFile(file, stringify(test));
    const [p, o] = await Promise.all([
      run(PROMTOOL, ['test', 'rules', file]),
      runCli(['tools', 'rules-test', file]),
    ]);
    expect(p.code).toBe(1); // nothing expected, every alert printed
    expect(o.code).toBe(p.code);
    expect(p.stderr).toContain(`${SERIES - 1}:`);
    const pl = p.stderr.split('\n');
    const ol = o.stderr.split('\n');
    // Line by line, so a mismatch shows the one annotation set that differs.
    for (let i = 0; i < Math.max(pl.length, ol.length); i++)
      expect(ol[i], `seed ${seed}, line ${i + 1}`).toBe(pl[i]);
  });
});
