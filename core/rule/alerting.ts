/**
 * @module core/rule/alerting — an alerting rule with Prometheus 2.42's state machine
 * (rules/alerting.go): each series of the expression is an alert, pending from its first
 * evaluation and firing once it has been active for `for`; an alert whose series disappears is
 * resolved (kept 15m for notifications) unless it fires and `keep_firing_for` still holds it.
 * Labels and annotations are Go templates expanded per alert with `$labels`/`$value`/….
 * Output: `ALERTS{alertstate}` = 1 and `ALERTS_FOR_STATE` = activeAt in seconds, per active alert.
 */
import { LabelsBuilder } from '../labels/builder.ts';
import { compareStrings, type Label, type Labels } from '../labels/labels.ts';
import { labelsKey } from '../promql/engine/series.ts';
import type { RuleDef } from './rule-file.ts';
import { expandAlertTemplate } from './template/expander.ts';
import { RuleEvalError, type OutputSample, type RuleEvalContext } from './types.ts';

/** How long a resolved alert is kept (rules.resolvedRetention). */
export const RESOLVED_RETENTION = 15 * 60 * 1000;
export const ALERT_METRIC_NAME = 'ALERTS';
export const ALERT_FOR_STATE_METRIC_NAME = 'ALERTS_FOR_STATE';

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface Alert {
  readonly labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  /** ms */
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  /** ms; 0 when the alert is not being kept firing. */
  keepFiringSince: number;
  /** ms; when it was last handed to the notifier (-Infinity: never). */
  lastSentAt: number;
  /** ms; EndsAt of a firing alert as last sent (Alertmanager resolves it after that). */
  validUntil: number;
}

function sortedLabels(pairs: Iterable<readonly [string, string]>): Labels {
  const out: Label[] = [];
  for (const [name, value] of pairs) out.push({ name, value });
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

export class AlertingRule {
  readonly kind = 'alerting' as const;
  readonly name: string;
  readonly expr: string;
  /** ms */
  readonly holdDuration: number;
  readonly keepFiringFor: number;
  readonly labels: ReadonlyMap<string, string>;
  readonly annotations: ReadonlyMap<string, string>;
  /** Whether ALERTS / ALERTS_FOR_STATE are written (Prometheus: after restoring state). */
  restored = true;
  readonly #active = new Map<string, Alert>();

  constructor(
    def: Pick<RuleDef, 'expr' | 'labels' | 'annotations' | 'for' | 'keepFiringFor'> & {
      alert: string;
    },
  ) {
    this.name = def.alert;
    this.expr = def.expr;
    this.holdDuration = def.for;
    this.keepFiringFor = def.keepFiringFor;
    this.labels = def.labels;
    this.annotations = def.annotations;
  }

  /** Alerts that are pending, firing or recently resolved. */
  activeAlerts(): Alert[] {
    return [...this.#active.values()].filter((a) => a.state !== 'inactive');
  }

  /** Every alert held, resolved ones included (for notifications). */
  allAlerts(): Alert[] {
    return [...this.#active.values()];
  }

  async eval(t: number, ctx: RuleEvalContext): Promise<OutputSample[]> {
    const res = await ctx.query(this.expr, t);
    const fresh = new Map<string, Alert>();
    const tmplOpts = { time: t, query: ctx.query, externalURL: ctx.webExternalURL };
    for (const s of res) {
      const data = {
        labels: s.metric,
        externalLabels: ctx.externalLabels,
        externalURL: ctx.externalURL,
        value: s.v,
      };
      const expand = (text: string): Promise<string> =>
        expandAlertTemplate(this.name, text, data, tmplOpts);
      const b = new LabelsBuilder(s.metric).del('__name__');
      for (const [k, v] of this.labels) b.set(k, await expand(v));
      b.set('alertname', this.name);
      const ann: [string, string][] = [];
      for (const [k, v] of this.annotations) ann.push([k, await expand(v)]);
      const labels = b.labels();
      const key = labelsKey(labels);
      if (fresh.has(key))
        throw new RuleEvalError(
          'vector contains metrics with the same labelset after applying alert labels',
        );
      fresh.set(key, {
        labels,
        annotations: sortedLabels(ann),
        state: 'pending',
        value: s.v,
        activeAt: t,
        firedAt: 0,
        resolvedAt: 0,
        keepFiringSince: 0,
        lastSentAt: -Infinity,
        validUntil: 0,
      });
    }
    for (const [key, a] of fresh) {
      const old = this.#active.get(key);
      if (old !== undefined && old.state !== 'inactive') {
        old.value = a.value;
        old.annotations = a.annotations;
        continue;
      }
      this.#active.set(key, a);
    }
    const out: OutputSample[] = [];
    let numActivePending = 0;
    for (const [key, a] of this.#active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringFor > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = t;
          if (t - a.keepFiringSince < this.keepFiringFor) keepFiring = true;
        }
        // A pending alert that vanished, or one resolved longer ago than the retention, is dropped.
        if (a.state === 'pending' || (a.resolvedAt !== 0 && t - a.resolvedAt > RESOLVED_RETENTION))
          this.#active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = t;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = 0;
      }
      numActivePending++;
      if (a.state === 'pending' && t - a.activeAt >= this.holdDuration) {
        a.state = 'firing';
        a.firedAt = t;
      }
      if (this.restored) {
        out.push({ metric: this.#sample(a, ALERT_METRIC_NAME, true), t, v: 1 });
        out.push({
          metric: this.#sample(a, ALERT_FOR_STATE_METRIC_NAME, false),
          t,
          v: Math.floor(a.activeAt / 1000),
        });
      }
    }
    if (ctx.limit > 0 && numActivePending > ctx.limit) {
      this.#active.clear();
      throw new RuleEvalError(`exceeded limit of ${ctx.limit} with ${numActivePending} alerts`);
    }
    return out;
  }

  /** The labels of the alert's ALERTS_FOR_STATE series (what restoring `for` state reads). */
  forStateLabels(a: Alert): Labels {
    return this.#sample(a, ALERT_FOR_STATE_METRIC_NAME, false);
  }

  #sample(a: Alert, name: string, withState: boolean): Labels {
    const b = new LabelsBuilder(sortedLabels(this.labels));
    for (const l of a.labels) b.set(l.name, l.value);
    b.set('__name__', name).set('alertname', this.name);
    if (withState) b.set('alertstate', a.state);
    return b.labels();
  }
}
