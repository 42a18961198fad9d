/**
 * @module core/rule/notify — what an alerting rule hands to Alertmanager after each evaluation,
 * as Prometheus 2.42 does (rules/alerting.go sendAlerts, rules/manager.go SendAlerts,
 * notifier.Manager.Send): firing alerts again every resend delay, resolved ones once more as soon
 * as they resolve; StartsAt the firing time, EndsAt the resolution or 4 × max(interval, resend
 * delay) ahead; external labels added where the alert lacks them; the generator URL a table link
 * to the rule's expression. `alertmanagerPayload` is the body of Alertmanager's POST /api/v2/alerts.
 */
import { LabelsBuilder } from '../labels/builder.ts';
import type { Labels } from '../labels/labels.ts';
import { queryEscape } from './template/net.ts';
import type { Alert, AlertingRule } from './alerting.ts';

/** Prometheus's --rules.alert.resend-delay default. */
export const DEFAULT_RESEND_DELAY = 60_000;

/** notifier.Alert: one alert as sent. Times in ms. */
export interface NotifierAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
}

/** Alert.needsSending: never pending ones; resolved since the last send, or the resend delay passed. */
export function needsSending(a: Alert, t: number, resendDelay: number): boolean {
  if (a.state === 'pending') return false;
  if (a.resolvedAt > a.lastSentAt) return true;
  return a.lastSentAt + resendDelay < t;
}

/** AlertingRule.sendAlerts: the alerts to send at `t` (marked as sent), as snapshots. */
export function alertsToSend(
  rule: AlertingRule,
  t: number,
  resendDelay: number,
  interval: number,
): Alert[] {
  const out: Alert[] = [];
  for (const a of rule.allAlerts()) {
    if (!needsSending(a, t, resendDelay)) continue;
    a.lastSentAt = t;
    // Room for two failed evaluations or sends before Alertmanager resolves it by itself.
    a.validUntil = t + 4 * Math.max(resendDelay, interval);
    out.push({ ...a });
  }
  return out;
}

/** rules.SendAlerts plus the notifier's external labels: what goes to Alertmanager. */
export function notifierAlerts(
  alerts: readonly Alert[],
  expr: string,
  opts: { externalURL: string; externalLabels: Labels },
): NotifierAlert[] {
  const generatorURL = `${opts.externalURL}/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;
  return alerts.map((a) => {
    const b = new LabelsBuilder(a.labels);
    for (const l of opts.externalLabels) if (b.get(l.name) === '') b.set(l.name, l.value);
    return {
      labels: b.labels(),
      annotations: a.annotations,
      startsAt: a.firedAt,
      endsAt: a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil,
      generatorURL,
    };
  });
}

/** Go's time.Time JSON (RFC 3339 with trailing zeros of the fraction dropped). */
function jsonTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

const labelObject = (ls: Labels): Record<string, string> =>
  Object.fromEntries(ls.map((l) => [l.name, l.value]));

/** The JSON body of Alertmanager's `POST /api/v2/alerts`. */
export function alertmanagerPayload(alerts: readonly NotifierAlert[]): string {
  return JSON.stringify(
    alerts.map((a) => ({
      labels: labelObject(a.labels),
      annotations: labelObject(a.annotations),
      startsAt: jsonTime(a.startsAt),
      endsAt: jsonTime(a.endsAt),
      generatorURL: a.generatorURL,
    })),
  );
}
