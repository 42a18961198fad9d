/**
 * The alerting rule's state machine (Prometheus 2.42 rules/alerting.go), driven with a query
 * function that returns a scripted vector per evaluation: pending → firing after `for`, resolved
 * when the series goes, pending alerts dropped at once, keep_firing_for, resolved alerts kept for
 * 15 minutes, ALERTS/ALERTS_FOR_STATE output, and the limit.
 */
import { describe, expect, it } from 'vitest';
import { labelsFrom, labelsToString, type Labels } from '../labels/labels.ts';
import { AlertingRule, RESOLVED_RETENTION } from './alerting.ts';
import type { InstantSample, RuleEvalContext } from './types.ts';

const M = 60_000;
const series = labelsFrom({ __name__: 'up', job: 'a', instance: 'x' });

function ctx(byTime: Map<number, InstantSample[]>, limit = 0): RuleEvalContext {
  return {
    query: async (_expr, t) => byTime.get(t) ?? [],
    limit,
    externalLabels: labelsFrom({ dc: 'eu' }),
    externalURL: 'http://ext',
  };
}

function rule(extra: Partial<{ for: number; keepFiringFor: number }> = {}): AlertingRule {
  return new AlertingRule({
    alert: 'Down',
    expr: 'up == 0',
    for: extra.for ?? 0,
    keepFiringFor: extra.keepFiringFor ?? 0,
    labels: new Map([['severity', '{{ if gt $value 1.0 }}page{{ else }}info{{ end }}']]),
    annotations: new Map([
      ['summary', '{{ $labels.instance }} in {{ $externalLabels.dc }} = {{ $value }}'],
    ]),
  });
}

const names = (ls: readonly { metric: Labels }[]): string[] =>
  ls.map((s) => labelsToString(s.metric));

describe('AlertingRule', () => {
  it('is pending until `for` has passed, then fires; ALERTS and ALERTS_FOR_STATE follow', async () => {
    const r = rule({ for: 2 * M });
    const c = ctx(new Map([0, 1, 2, 3].map((i) => [i * M, [{ metric: series, v: 2 }]])));
    const out0 = await r.eval(0, c);
    expect(r.activeAlerts().map((a) => a.state)).toEqual(['pending']);
    expect(names(out0)).toEqual([
      '{__name__="ALERTS", alertname="Down", alertstate="pending", instance="x", job="a", severity="page"}',
      '{__name__="ALERTS_FOR_STATE", alertname="Down", instance="x", job="a", severity="page"}',
    ]);
    await r.eval(M, c);
    expect(r.activeAlerts()[0]!.state).toBe('pending');
    const out2 = await r.eval(2 * M, c);
    const a = r.activeAlerts()[0]!;
    expect(a.state).toBe('firing');
    expect(a.firedAt).toBe(2 * M);
    expect(labelsToString(a.annotations)).toBe('{summary="x in eu = 2"}');
    expect(out2.find((s) => s.metric.some((l) => l.value === 'ALERTS_FOR_STATE'))!.v).toBe(0);
  });

  it('drops a pending alert whose series went, resolves a firing one and keeps it 15m', async () => {
    const r = rule();
    const c = ctx(new Map([[0, [{ metric: series, v: 1 }]]]));
    await r.eval(0, c);
    expect(r.activeAlerts()[0]!.state).toBe('firing');
    expect(await r.eval(M, c)).toEqual([]);
    expect(r.allAlerts().map((x) => [x.state, x.resolvedAt])).toEqual([['inactive', M]]);
    await r.eval(M + RESOLVED_RETENTION, c);
    expect(r.allAlerts()).toHaveLength(1);
    await r.eval(2 * M + RESOLVED_RETENTION, c);
    expect(r.allAlerts()).toHaveLength(0);

    const p = rule({ for: 5 * M });
    await p.eval(0, c);
    await p.eval(M, c);
    expect(p.allAlerts()).toHaveLength(0);
  });

  it('keeps firing for keep_firing_for after the series went', async () => {
    const r = rule({ keepFiringFor: 2 * M });
    const c = ctx(new Map([[0, [{ metric: series, v: 1 }]]]));
    await r.eval(0, c);
    for (const t of [M, 2 * M]) {
      await r.eval(t, c);
      expect(r.activeAlerts().map((a) => a.state)).toEqual(['firing']);
    }
    await r.eval(3 * M, c);
    expect(r.activeAlerts()).toEqual([]);
  });

  it('fails past the limit and forgets its alerts', async () => {
    const two = [series, labelsFrom({ __name__: 'up', job: 'a', instance: 'y' })].map((metric) => ({
      metric,
      v: 0,
    }));
    const r = rule();
    await expect(r.eval(0, ctx(new Map([[0, two]]), 1))).rejects.toThrow(
      'exceeded limit of 1 with 2 alerts',
    );
    expect(r.allAlerts()).toEqual([]);
  });

  it('refuses two series that become the same alert', async () => {
    const dup = ['up', 'other'].map((n) => ({
      metric: labelsFrom({ __name__: n, job: 'a' }),
      v: 0,
    }));
    await expect(rule().eval(0, ctx(new Map([[0, dup]])))).rejects.toThrow(
      'vector contains metrics with the same labelset after applying alert labels',
    );
  });
});
