/**
 * @module core/rule/api — `/api/v1/rules` and `/api/v1/alerts` in Prometheus 2.42's JSON shapes
 * (web/api/v1: RuleGroup, AlertingRule, RecordingRule, Alert), from groups and their last runs.
 */
import { goFormatFloat } from '../gocompat/strconv.ts';
import type { Labels } from '../labels/labels.ts';
import { AlertingRule, type Alert } from './alerting.ts';
import type { Group } from './group.ts';

/** What the evaluator remembers of a group's last run. */
export interface GroupRun {
  /** Wall-clock ms of the last evaluation start (0: never), and how long it took. */
  readonly lastEvaluation: number;
  readonly evaluationMs: number;
}

const labelObject = (ls: Labels | ReadonlyMap<string, string>): Record<string, string> =>
  ls instanceof Map
    ? Object.fromEntries(ls)
    : Object.fromEntries((ls as Labels).map((l) => [l.name, l.value]));

const rfc3339 = (ms: number): string =>
  ms > 0 ? new Date(ms).toISOString() : '0001-01-01T00:00:00Z';

export function alertJson(a: Alert): object {
  return {
    labels: labelObject(a.labels),
    annotations: labelObject(a.annotations),
    state: a.state,
    activeAt: rfc3339(a.activeAt),
    // strconv.FormatFloat(v, 'e', -1, 64), as Prometheus's API prints an alert's value.
    value: goFormatFloat(a.value, 'e', -1),
  };
}

/** The state of an alerting rule: the worst of its alerts. */
function ruleState(r: AlertingRule): string {
  const states = r.activeAlerts().map((a) => a.state);
  return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : 'inactive';
}

export type RuleTypeFilter = 'alert' | 'record' | undefined;

export function ruleGroupsJson(
  groups: ReadonlyArray<{ group: Group; run: GroupRun }>,
  type: RuleTypeFilter,
): object {
  return {
    groups: groups.map(({ group, run }) => {
      const rules: object[] = [];
      group.rules.forEach((rule, i) => {
        const err = group.lastErrors[i];
        const common = {
          name: rule.name,
          query: rule.expr,
          labels: labelObject(rule.labels),
          health: run.lastEvaluation === 0 ? 'unknown' : err ? 'err' : 'ok',
          lastError: err?.message ?? '',
          evaluationTime: run.evaluationMs / 1000,
          lastEvaluation: rfc3339(run.lastEvaluation),
        };
        if (rule instanceof AlertingRule) {
          if (type === 'record') return;
          rules.push({
            state: ruleState(rule),
            name: common.name,
            query: common.query,
            duration: rule.holdDuration / 1000,
            keepFiringFor: rule.keepFiringFor / 1000,
            labels: common.labels,
            annotations: labelObject(rule.annotations),
            alerts: rule.activeAlerts().map(alertJson),
            health: common.health,
            lastError: common.lastError,
            evaluationTime: common.evaluationTime,
            lastEvaluation: common.lastEvaluation,
            type: 'alerting',
          });
        } else {
          if (type === 'alert') return;
          rules.push({ ...common, type: 'recording' });
        }
      });
      return {
        name: group.name,
        file: group.file,
        rules,
        interval: group.interval / 1000,
        limit: group.limit,
        evaluationTime: run.evaluationMs / 1000,
        lastEvaluation: rfc3339(run.lastEvaluation),
      };
    }),
  };
}

export function alertsJson(groups: ReadonlyArray<{ group: Group }>): object {
  const alerts: object[] = [];
  for (const { group } of groups) {
    for (const r of group.rules)
      if (r instanceof AlertingRule) alerts.push(...r.activeAlerts().map(alertJson));
  }
  return { alerts };
}
