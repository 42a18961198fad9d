/**
 * @module test/integration/rule/eval-fuzz — random rule groups on random series, evaluated by the
 * real promtool 2.42 and by `thanos-edge tools rules-test`: alerting rules with random `for` and
 * `keep_firing_for` (pending, firing, resolving, kept firing), recording rules (aggregations,
 * counters with resets, rules reading earlier rules), series with gaps and staleness markers.
 * Expectations are left empty or wrong on purpose, so both tools print every firing alert and
 * every evaluated sample (ALERTS, ALERTS_FOR_STATE, the recorded series) at random times; the
 * outputs must be byte-identical. Values are integers so sums do not depend on series order
 * (promtool loads series in Go map order). Seeded: a failure replays from its seed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/compact-process.ts';
import { PROMTOOL, run } from '../../helpers/promtool.ts';
import { Random } from '../../helpers/random.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const STEPS = 40;

function values(r: Random): string {
  const out: string[] = [];
  let counter = r.int(10);
  const isCounter = r.chance(0.4);
  for (let i = 0; i < STEPS; i++) {
    const p = r.next();
    if (p < 0.08) out.push('_');
    else if (p < 0.11) out.push('stale');
    else if (isCounter) {
      counter = r.chance(0.05) ? r.int(3) : counter + r.int(7);
      out.push(String(counter));
    } else out.push(String(r.int(6)));
  }
  return out.join(' ');
}

const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)]!;
const minutes = (r: Random, xs: readonly number[]): string => `${pick(r, xs)}m`;

function ruleGroup(r: Random): object {
  return {
    name: 'fuzz',
    rules: [
      { record: 'g:m:sum', expr: 'sum by (g) (m)' },
      { record: 'm:max', expr: 'max(m)' },
      { record: 'm:count_high', expr: 'count(m > 2)' },
      { record: 'i:m:increase', expr: 'increase(m[5m])' },
      { record: 'g:m:sum:gt', expr: `g:m:sum > ${r.int(8)}` },
      {
        alert: 'High',
        expr: `m > ${r.int(4)}`,
        for: minutes(r, [0, 1, 2, 3]),
        keep_firing_for: minutes(r, [0, 0, 1, 3]),
        labels: { severity: pick(r, ['page', 'info']) },
        annotations: { v: '{{ $value }} on {{ $labels.i }}' },
      },
      {
        alert: 'GroupHigh',
        expr: `g:m:sum > ${r.intBetween(3, 12)}`,
        for: minutes(r, [0, 2, 5]),
        keep_firing_for: minutes(r, [0, 2]),
      },
      { alert: 'Missing', expr: 'absent(m{i="0"})', for: minutes(r, [0, 1]) },
    ],
  };
}

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await makeTmpDir('rules-eval-fuzz-');
});
afterAll(async () => {
  await tmp.remove();
});

describe('random rule groups: thanos-edge vs promtool', () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('seed %i', async (seed) => {
    const r = new Random(seed);
    const rulesFile = join(tmp.path, `rules-${seed}.yml`);
    await writeFile(rulesFile, stringify({ groups: [ruleGroup(r)] }));
    const interval = pick(r, ['30s', '1m']);
    const series = Array.from({ length: r.intBetween(3, 7) }, (_, i) => ({
      series: `m{i="${i}",g="${pick(r, ['a', 'b'])}"}`,
      values: values(r),
    }));
    const times = Array.from(
      { length: 8 },
      () => `${r.int(STEPS * (interval === '1m' ? 60 : 30))}s`,
    );
    const wrong = [{ labels: '{__wrong__="expectation"}', value: -1 }];
    const test = {
      rule_files: [rulesFile],
      evaluation_interval: pick(r, ['30s', '1m']),
      tests: [
        {
          interval,
          input_series: series,
          alert_rule_test: times.flatMap((t) =>
            ['High', 'GroupHigh', 'Missing'].map((alertname) => ({ eval_time: t, alertname })),
          ),
          promql_expr_test: times.flatMap((t) =>
            [
              'ALERTS',
              'ALERTS_FOR_STATE',
              'g:m:sum',
              'm:max',
              'm:count_high',
              'i:m:increase',
              'g:m:sum:gt',
            ].map((expr) => ({ expr, eval_time: t, exp_samples: wrong })),
          ),
        },
      ],
    };
    const file = join(tmp.path, `test-${seed}.yml`);
    await writeFile(file, stringify(test));
    const [p, o] = await Promise.all([
      run(PROMTOOL, ['test', 'rules', file]),
      runCli(['tools', 'rules-test', file]),
    ]);
    expect(p.code).toBe(1);
    expect(o.code).toBe(p.code);
    expect(o.stdout).toBe(p.stdout.toString());
    const pl = p.stderr.split('\n');
    const ol = o.stderr.split('\n');
    for (let i = 0; i < Math.max(pl.length, ol.length); i++)
      expect(ol[i], `seed ${seed}, line ${i + 1}`).toBe(pl[i]);
    // Alerts fired somewhere, or the state machine was not exercised.
    expect(p.stderr).toContain('alertstate="firing"');
  });
});
