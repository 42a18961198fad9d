/**
 * @module core/rule/group — a rule group (rules/manager.go Group, 2.42): its rules evaluated in
 * order at one timestamp, each rule's output appended, and a staleness marker written for every
 * series a rule returned at its previous evaluation but not at this one. A failing rule keeps its
 * error (lastError) and does not stop the group. `evalTimestamp` aligns evaluations as Prometheus
 * does: every interval, offset by a hash of the group's name and file.
 */
import { STALE_NAN } from '../chunkenc/stale.ts';
import { errorMessage } from '../errors.ts';
import type { Labels } from '../labels/labels.ts';
import { labelsKey } from '../promql/engine/series.ts';
import { prometheusLabelsHash } from '../gocompat/xxhash64.ts';
import { AlertingRule } from './alerting.ts';
import { RecordingRule } from './recording.ts';
import {
  alertsToSend,
  DEFAULT_RESEND_DELAY,
  notifierAlerts,
  type NotifierAlert,
} from './notify.ts';
import type { RuleGroupDef } from './rule-file.ts';
import { formatExpr } from '../promql/format.ts';
import { parseExpr } from '../promql/parser/parse.ts';
import type { QueryFunc, RuleAppender } from './types.ts';

export type Rule = RecordingRule | AlertingRule;

export interface GroupEvalDeps {
  readonly query: QueryFunc;
  readonly appender: RuleAppender;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** externalURL()/pathPrefix() in templates; see RuleEvalContext. */
  readonly webExternalURL?: string;
  /**
   * Receives the alerts to send after each alerting rule's evaluation (Prometheus's NotifyFunc);
   * generator URLs are built on webExternalURL.
   */
  readonly notify?: (alerts: NotifierAlert[]) => void;
  /** ms; default 1m (--rules.alert.resend-delay). */
  readonly resendDelay?: number;
}

/**
 * Group.hash() in Prometheus 2.42: `labels.Labels{file, name}.Hash()`, xxhash64 over the sorted
 * names and values with 0xff after each. Its remainder by the interval is the group's evaluation
 * offset, so a group evaluates at the same instants as in a Prometheus with the same file path.
 */
export function groupHash(name: string, file: string): bigint {
  return BigInt(
    prometheusLabelsHash([
      { name: 'file', value: file },
      { name: 'name', value: name },
    ]),
  );
}

/** Group.EvalTimestamp: the latest aligned evaluation time at or before `now` (all ms). */
export function evalTimestamp(now: number, interval: number, hash: bigint): number {
  const itv = BigInt(interval) * 1_000_000n;
  const offset = hash % itv;
  const adj = BigInt(now) * 1_000_000n - offset;
  const base = adj - (((adj % itv) + itv) % itv);
  // Whole ms rounded down, as timestamp.FromTime does (BigInt division rounds towards zero).
  const ns = base + offset;
  const ms = ns / 1_000_000n;
  return Number(ns < 0n && ms * 1_000_000n !== ns ? ms - 1n : ms);
}

export class Group {
  readonly name: string;
  readonly file: string;
  /** ms */
  readonly interval: number;
  readonly limit: number;
  readonly rules: readonly Rule[];
  readonly lastErrors: (Error | undefined)[];
  #previous: Map<string, Labels>[];

  constructor(def: RuleGroupDef, file: string, defaultInterval: number) {
    this.name = def.name;
    this.file = file;
    this.interval = def.interval !== 0 ? def.interval : defaultInterval;
    this.limit = def.limit;
    this.rules = def.rules.map((r) =>
      r.alert !== undefined
        ? new AlertingRule({ ...r, alert: r.alert })
        : new RecordingRule({ ...r, record: r.record ?? '' }),
    );
    this.lastErrors = this.rules.map(() => undefined);
    this.#previous = this.rules.map(() => new Map());
  }

  /** The group's aligned evaluation time at or before `now` (ms): Group.EvalTimestamp. */
  evalTimestamp(now: number): number {
    return evalTimestamp(now, this.interval, groupHash(this.name, this.file));
  }

  /**
   * When to evaluate next after `now`: the following aligned time (Prometheus's run loop
   * starts one interval after the aligned time and skips evaluations it missed).
   */
  nextEvaluation(now: number): number {
    return this.evalTimestamp(now) + this.interval;
  }

  /** Evaluates every rule at `t` (ms), in order. */
  async eval(t: number, deps: GroupEvalDeps): Promise<void> {
    const ctx = {
      query: deps.query,
      limit: this.limit,
      externalLabels: deps.externalLabels,
      externalURL: deps.externalURL,
    };
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      let out;
      try {
        out = await rule.eval(t, ctx);
      } catch (err) {
        this.lastErrors[i] = err instanceof Error ? err : new Error(errorMessage(err));
        continue;
      }
      this.lastErrors[i] = undefined;
      if (rule instanceof AlertingRule && deps.notify) {
        const sent = alertsToSend(rule, t, deps.resendDelay ?? DEFAULT_RESEND_DELAY, this.interval);
        if (sent.length > 0)
          deps.notify(
            notifierAlerts(sent, formatExpr(parseExpr(rule.expr)), {
              externalURL: deps.webExternalURL ?? '',
              externalLabels: deps.externalLabels,
            }),
          );
      }
      const returned = new Map<string, Labels>();
      for (const s of out) {
        try {
          deps.appender.append(s.metric, s.t, s.v);
          returned.set(labelsKey(s.metric), s.metric);
        } catch (err) {
          this.lastErrors[i] = err instanceof Error ? err : new Error(errorMessage(err));
        }
      }
      for (const [k, ls] of this.#previous[i]!) {
        if (returned.has(k)) continue;
        try {
          deps.appender.append(ls, t, STALE_NAN);
        } catch {
          // Out of order or duplicate stale markers are ignored, as in Prometheus.
        }
      }
      this.#previous[i] = returned;
    }
  }
}
