/**
 * @module ui/rules-api — the shapes of /api/v1/rules and /api/v1/alerts as Prometheus 2.42 serves
 * them (web/api/v1 RuleGroup, AlertingRule, RecordingRule, Alert), and small shared views of them.
 */
import { h } from './dom.ts';

export type RuleHealth = 'ok' | 'err' | 'unknown';
export type AlertState = 'inactive' | 'pending' | 'firing';

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  /** RFC 3339. */
  activeAt: string;
  /** The value as Go's FormatFloat 'e' prints it. */
  value: string;
}

interface RuleCommon {
  name: string;
  query: string;
  labels: Record<string, string>;
  health: RuleHealth;
  lastError: string;
  /** Seconds. */
  evaluationTime: number;
  /** RFC 3339; the zero time when never evaluated. */
  lastEvaluation: string;
}

export interface AlertingRule extends RuleCommon {
  type: 'alerting';
  state: AlertState;
  /** The `for` duration, seconds. */
  duration: number;
  annotations: Record<string, string>;
  alerts: Alert[];
}

export interface RecordingRule extends RuleCommon {
  type: 'recording';
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  file: string;
  rules: Rule[];
  /** Seconds. */
  interval: number;
  evaluationTime: number;
  lastEvaluation: string;
}

/** Go's zero time, which Prometheus prints for "never". */
export const isNever = (rfc3339: string): boolean => rfc3339.startsWith('0001-01-01');

/** Prometheus's empty rules answer when no rule files are loaded (or there is no ruler). */
export function noRules(): HTMLElement {
  return h(
    'div',
    { class: 'empty-state' },
    h('strong', {}, 'No rules'),
    h(
      'div',
      { class: 'muted' },
      'The ruler is not enabled, or the bucket has no rule files under rules/.',
    ),
  );
}
