/**
 * @module core/api/rules-tenancy — `/api/v1/rules` and `/api/v1/alerts` (the ruler's and the
 * Prometheus servers' behind sidecars) as a tenant sees them: only alerts whose labels carry its tenant (in the alerts list and inside each alerting
 * rule, whose state then follows what is left), rules and groups otherwise as they are (a rule's
 * expression is the operator's configuration, not another tenant's data).
 */

interface Alert {
  labels?: Record<string, string>;
  state?: string;
}

interface Rule {
  type?: string;
  alerts?: Alert[];
  state?: string;
}

const mine = (label: string, tenant: string) => (a: Alert) => a.labels?.[label] === tenant;

/** The state of an alerting rule from the alerts left: firing beats pending beats inactive. */
function ruleState(alerts: readonly Alert[]): string {
  if (alerts.some((a) => a.state === 'firing')) return 'firing';
  if (alerts.some((a) => a.state === 'pending')) return 'pending';
  return 'inactive';
}

export function scopeRulerAnswer(
  path: '/api/v1/rules' | '/api/v1/alerts',
  body: { data?: unknown },
  label: string,
  tenant: string,
): void {
  const keep = mine(label, tenant);
  if (path === '/api/v1/alerts') {
    const d = body.data as { alerts?: Alert[] } | undefined;
    if (d?.alerts) d.alerts = d.alerts.filter(keep);
    return;
  }
  const d = body.data as { groups?: Array<{ rules?: Rule[] }> } | undefined;
  for (const g of d?.groups ?? []) {
    for (const r of g.rules ?? []) {
      if (r.type !== 'alerting' || !r.alerts) continue;
      r.alerts = r.alerts.filter(keep);
      r.state = ruleState(r.alerts);
    }
  }
}
