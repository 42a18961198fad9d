/**
 * Restoring `for` state (Prometheus 2.42 RestoreForState semantics): the pending time before a
 * restart counts, shifted by the downtime; an alert due within the grace period gets the grace
 * period; a rule whose `for` is below the grace period, and stale or missing state, restore nothing.
 */
import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../chunkenc/stale.ts';
import { labelsFrom, labelsToString } from '../labels/labels.ts';
import { Group } from './group.ts';
import { AlertingRule } from './alerting.ts';
import { restoreForState } from './restore.ts';
import { parseRuleFile } from './rule-file.ts';

const M = 60_000;
const T = 1_700_000_000_000; // restart time

function group(forDuration: string): { g: Group; rule: AlertingRule } {
  const def = parseRuleFile(`
groups:
  - name: g
    rules:
      - alert: Slow
        expr: slow
        for: ${forDuration}
`)[0]!;
  const g = new Group(def, 'f.yml', M);
  const rule = g.rules[0] as AlertingRule;
  rule.restored = false;
  return { g, rule };
}

async function firstEval(g: Group): Promise<void> {
  const appended: string[] = [];
  await g.eval(T, {
    query: async () => [{ metric: labelsFrom({ __name__: 'slow', i: '1' }), v: 1 }],
    appender: { append: (m) => appended.push(labelsToString(m)) },
    externalLabels: [],
    externalURL: '',
  });
  // Not restored yet: the first evaluation writes no ALERTS series.
  expect(appended).toEqual([]);
}

describe('restoreForState', () => {
  it('continues the pending time, shifted by the downtime', async () => {
    const { g, rule } = group('1h');
    await firstEval(g);
    // Pending for 20m when the ruler stopped 5m before T.
    const seen: string[] = [];
    await restoreForState(g, T, async (ls, mint, maxt) => {
      seen.push(`${labelsToString(ls)} ${maxt - mint}`);
      return { t: T - 5 * M, v: (T - 25 * M) / 1000 };
    });
    expect(seen).toEqual(['{__name__="ALERTS_FOR_STATE", alertname="Slow", i="1"} 3600000']);
    expect(rule.activeAlerts()[0]!.activeAt).toBe(T - 20 * M);
    expect(rule.restored).toBe(true);
  });

  it('gives the grace period to an alert that was about to fire, keeps one that fired', async () => {
    const { g, rule } = group('30m');
    await firstEval(g);
    await restoreForState(g, T, async () => ({ t: T - M, v: (T - 25 * M) / 1000 }));
    expect(rule.activeAlerts()[0]!.activeAt).toBe(T + 10 * M - 30 * M);

    const fired = group('30m');
    await firstEval(fired.g);
    await restoreForState(fired.g, T, async () => ({ t: T - M, v: (T - 50 * M) / 1000 }));
    expect(fired.rule.activeAlerts()[0]!.activeAt).toBe(T - 50 * M);
  });

  it('restores nothing for short `for`, stale or missing state', async () => {
    const short = group('5m');
    await firstEval(short.g);
    let asked = false;
    await restoreForState(short.g, T, async () => {
      asked = true;
      return { t: T - M, v: 0 };
    });
    expect(asked).toBe(false);
    expect(short.rule.activeAlerts()[0]!.activeAt).toBe(T);
    expect(short.rule.restored).toBe(true);

    for (const state of [{ t: T - M, v: STALE_NAN }, undefined]) {
      const { g, rule } = group('1h');
      await firstEval(g);
      await restoreForState(g, T, async () => state);
      expect(rule.activeAlerts()[0]!.activeAt).toBe(T);
    }
  });
});
