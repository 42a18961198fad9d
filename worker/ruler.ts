/**
 * @module worker/ruler — Thanos Rule at the edge, as one Durable Object: rule files from the
 * bucket (`rules/*.yml`), each group evaluated at its interval (the object's alarm; a cron trigger
 * re-arms it) through the querier (deduplicated, partial response off as Thanos's rule default),
 * results and `ALERTS` / `ALERTS_FOR_STATE` written through the receive path (Thanos's stateless
 * ruler), alerts sent to Alertmanager's API v2, `for` state restored from `ALERTS_FOR_STATE` after
 * a restart. Serves `/api/v1/rules`, `/api/v1/alerts` and its metrics to the Worker.
 */
import { Hono } from 'hono';
import { errorMessage } from '../core/errors.ts';
import { compareStrings, type Labels } from '../core/labels/labels.ts';
import { getAll } from '../core/objstore/bucket.ts';
import { MemoStore } from '../core/storeapi/memo-store.ts';
import { encodeWriteRequest, type EncodeSeries } from '../core/receive/write-encode.ts';
import { AlertingRule } from '../core/rule/alerting.ts';
import {
  alertsJson,
  ruleGroupsJson,
  type GroupRun,
  type RuleTypeFilter,
} from '../core/rule/api.ts';
import { engineQueryFunc } from '../core/rule/engine-query.ts';
import { evalTimestamp, Group, groupHash } from '../core/rule/group.ts';
import { alertmanagerPayload, type NotifierAlert } from '../core/rule/notify.ts';
import {
  DEFAULT_FOR_GRACE_PERIOD,
  DEFAULT_OUTAGE_TOLERANCE,
  restoreForState,
  type LastSampleFunc,
} from '../core/rule/restore.ts';
import { parseRuleFile } from '../core/rule/rule-file.ts';
import type { QueryFunc } from '../core/rule/types.ts';
import { csv, durationVar, labelListVar, type Env } from './env.ts';
import { family, sample, type Family } from './metrics.ts';
import { bucketFromEnv } from './objstore.ts';
import { appendToShards } from './receive.ts';
import { receiveSettings } from './receive-settings.ts';
import { workerState } from './state.ts';
import { hasBucket } from './store-gateway.ts';

export const RULES_PREFIX = 'rules/';
const DEFAULT_INTERVAL = 60_000;

interface LoadedGroup {
  readonly group: Group;
  /** Thanos's group field: a failing store fails the rules (abort, default) or warns. */
  readonly partialResponse: boolean;
  /** The group's definition as loaded, to keep its state across reloads of an unchanged file. */
  readonly source: string;
  run: GroupRun;
  lastT: number;
  restored: boolean;
  evaluations: number;
  failures: number;
}

export class Ruler implements DurableObject {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #app: Hono;
  #groups: LoadedGroup[] = [];
  #loadedAt = 0;
  #loadError = '';
  #sent = 0;
  #sendErrors = 0;
  #writeErrors = 0;
  #lastWriteError = '';

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
    this.#app = this.#routes();
  }

  fetch(request: Request): Response | Promise<Response> {
    return this.#app.fetch(request);
  }

  async alarm(): Promise<void> {
    try {
      await this.#evaluateDue(Date.now());
    } finally {
      // The alarm that is running still shows in getAlarm() and is cleared when this returns.
      await this.#schedule(true);
    }
  }

  #routes(): Hono {
    const app = new Hono();
    app.post('/tick', async (c) => {
      await this.#load();
      await this.#evaluateDue(Date.now());
      await this.#schedule();
      return c.json({ groups: this.#groups.length, loadError: this.#loadError });
    });
    app.get('/rules', async (c) => {
      await this.#load();
      const type = c.req.query('type') as RuleTypeFilter;
      return c.json({ status: 'success', data: ruleGroupsJson(this.#groups, type) });
    });
    app.get('/alerts', async (c) => {
      await this.#load();
      return c.json({ status: 'success', data: alertsJson(this.#groups) });
    });
    app.get('/metrics', (c) => c.json(this.#families()));
    // FAULT INJECTION for tests: resets the object as an eviction or restart does (memory gone,
    // storage kept). Only this Worker can reach a Durable Object.
    app.post('/abort', (c) => {
      this.#ctx.abort('reset by /abort');
      return c.text('reset\n');
    });
    return app;
  }

  /** Reads the rule files again when the reload interval passed; unchanged groups keep their state. */
  async #load(): Promise<void> {
    const every = durationVar(this.#env.RULE_RELOAD_INTERVAL, 60_000);
    if (this.#loadedAt && Date.now() - this.#loadedAt < every) return;
    this.#loadedAt = Date.now();
    if (!hasBucket(this.#env)) return;
    const bucket = bucketFromEnv(this.#env);
    const interval = durationVar(this.#env.RULE_EVALUATION_INTERVAL, DEFAULT_INTERVAL);
    const next: LoadedGroup[] = [];
    const problems: string[] = [];
    const files: string[] = [];
    for await (const key of bucket.iter(RULES_PREFIX, { recursive: true })) {
      if (/\.ya?ml$/.test(key)) files.push(key);
    }
    for (const file of files.sort()) {
      const text = new TextDecoder().decode(await getAll(bucket, file));
      try {
        for (const def of parseRuleFile(text, { thanos: true })) {
          const source = JSON.stringify([file, def, interval], (_k, v: unknown) =>
            v instanceof Map ? [...(v as Map<string, string>)] : v,
          );
          const kept = this.#groups.find((g) => g.source === source);
          next.push(
            kept ?? {
              group: unrestored(new Group(def, ruleFileName(this.#env, file), interval)),
              partialResponse: def.partialResponseStrategy === 'warn',
              source,
              run: { lastEvaluation: 0, evaluationMs: 0 },
              lastT: -Infinity,
              restored: false,
              evaluations: 0,
              failures: 0,
            },
          );
        }
      } catch (err) {
        // A file that does not load leaves the rest running, as Thanos Rule does.
        problems.push(`${file}: ${errorMessage(err)}`);
      }
    }
    this.#groups = next;
    this.#loadError = problems.join('\n');
    if (problems.length) console.error(`ruler: ${this.#loadError}`);
  }

  async #schedule(fromAlarm = false): Promise<void> {
    if (this.#groups.length === 0) return;
    const now = Date.now();
    let next = Infinity;
    for (const g of this.#groups) {
      const t = evalTimestamp(now, g.group.interval, groupHash(g.group.name, g.group.file));
      // evalTimestamp floors a time that is aligned in nanoseconds: 1 ms after it, the slot has begun.
      next = Math.min(next, t + g.group.interval + 1);
    }
    const current = fromAlarm ? null : await this.#ctx.storage.getAlarm();
    if (current === null || current > next) await this.#ctx.storage.setAlarm(next);
  }

  #externalLabels(): Labels {
    return labelListVar('RULER_LABELS', this.#env.RULER_LABELS);
  }

  /**
   * The query function of one group evaluation: rules evaluated at the same time often read the
   * same selectors, so store answers are remembered for the evaluation (MemoStore).
   */
  async #query(partialResponse: boolean): Promise<QueryFunc> {
    const { querier } = await workerState(this.#env);
    const engine = querier.engine(
      {
        dedup: true,
        partialResponse,
        replicaLabels: querier.settings.replicaLabels,
        maxSourceResolution: 0,
      },
      new MemoStore(querier.proxy()),
    );
    return engineQueryFunc(engine);
  }

  /** Evaluates every group whose next aligned time has come (missed iterations are skipped). */
  async #evaluateDue(now: number): Promise<void> {
    await this.#load();
    const ext = this.#externalLabels();
    for (const g of this.#groups) {
      const t = evalTimestamp(now, g.group.interval, groupHash(g.group.name, g.group.file));
      if (t <= g.lastT) continue;
      g.lastT = t;
      const out: EncodeSeries[] = [];
      const alerts: NotifierAlert[] = [];
      const query = await this.#query(g.partialResponse);
      const started = Date.now();
      await g.group.eval(t, {
        query,
        appender: {
          append: (metric, ts, v) => out.push({ labels: withLabels(metric, ext), t: [ts], v: [v] }),
        },
        externalLabels: ext,
        externalURL: this.#env.RULER_EXTERNAL_URL ?? '',
        webExternalURL: this.#env.RULER_EXTERNAL_URL ?? '',
        notify: (a) => alerts.push(...a),
      });
      g.run = { lastEvaluation: started, evaluationMs: Date.now() - started };
      g.evaluations++;
      g.failures += g.group.lastErrors.filter(Boolean).length;
      if (!g.restored) {
        g.restored = true;
        await this.#restoreForState(g.group, t);
      }
      await this.#write(out);
      await this.#notify(alerts);
    }
  }

  /**
   * Prometheus's RestoreForState (core/rule/restore.ts) after the first evaluation of a group in
   * this isolate: the newest ALERTS_FOR_STATE sample of each active alert, read through the
   * querier (our receive heads and blocks), gives back its `for` progress.
   */
  async #restoreForState(group: Group, t: number): Promise<void> {
    const { querier } = await workerState(this.#env);
    const engine = querier.engine({
      dedup: true,
      partialResponse: true,
      replicaLabels: querier.settings.replicaLabels,
      maxSourceResolution: 0,
    });
    const lastSample: LastSampleFunc = async (labels, mint, maxt) => {
      const selector = `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(',')}}`;
      const { value } = await engine.instantQuery(`${selector}[${maxt - mint}ms]`, maxt);
      if (value.type !== 'matrix') return undefined;
      // Stored series carry the receive path's tenant label besides the alert's.
      const s = value.series.find(
        (x) =>
          x.t.length > 0 &&
          labels.every((l) => x.metric.some((m) => m.name === l.name && m.value === l.value)),
      );
      return s ? { t: s.t[s.t.length - 1]!, v: s.v[s.v.length - 1]! } : undefined;
    };
    try {
      await restoreForState(group, t, lastSample, {
        forGracePeriod: durationVar(this.#env.RULE_FOR_GRACE_PERIOD, DEFAULT_FOR_GRACE_PERIOD),
        outageTolerance: durationVar(this.#env.RULE_FOR_OUTAGE_TOLERANCE, DEFAULT_OUTAGE_TOLERANCE),
      });
    } catch (err) {
      console.error(`ruler: restoring for state of ${group.name}: ${errorMessage(err)}`);
    }
    for (const r of group.rules) if (r instanceof AlertingRule) r.restored = true;
  }

  /** Rule output into the receive heads, as a remote-write client of our own receiver. */
  async #write(out: EncodeSeries[]): Promise<void> {
    if (out.length === 0 || !this.#env.RECEIVE_SHARD) return;
    const tenant = this.#env.RULER_TENANT ?? receiveSettings(this.#env).defaultTenant;
    const r = await appendToShards(this.#env, tenant, encodeWriteRequest(out));
    if (!r.ok) {
      this.#writeErrors++;
      this.#lastWriteError = (await r.text()).trim();
      console.error(`ruler: writing rule results: ${r.status} ${this.#lastWriteError}`);
    }
  }

  async #notify(alerts: NotifierAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    const body = alertmanagerPayload(alerts);
    await Promise.all(
      csv(this.#env.ALERTMANAGER_URLS).map(async (raw) => {
        const url = new URL(raw);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (url.username) {
          headers.authorization = `Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}`;
          url.username = '';
          url.password = '';
        } else if (this.#env.ALERTMANAGER_BEARER_TOKEN) {
          headers.authorization = `Bearer ${this.#env.ALERTMANAGER_BEARER_TOKEN}`;
        }
        url.pathname = `${url.pathname.replace(/\/$/, '')}/api/v2/alerts`;
        try {
          const r = await fetch(url, { method: 'POST', headers, body });
          if (!r.ok) throw new Error(`HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
          this.#sent += alerts.length;
        } catch (err) {
          this.#sendErrors++;
          console.error(
            `ruler: sending ${alerts.length} alerts to ${url.host}: ${errorMessage(err)}`,
          );
        }
      }),
    );
  }

  #families(): Family[] {
    const evals = family(
      'prometheus_rule_evaluations_total',
      'counter',
      'The total number of rule evaluations.',
    );
    const fails = family(
      'prometheus_rule_evaluation_failures_total',
      'counter',
      'The total number of rule evaluation failures.',
    );
    const dur = family(
      'prometheus_rule_group_last_duration_seconds',
      'gauge',
      'The duration of the last rule group evaluation.',
    );
    const rules = family('prometheus_rule_group_rules', 'gauge', 'The number of rules.');
    for (const g of this.#groups) {
      const l = { rule_group: `${g.group.file};${g.group.name}` };
      sample(evals, l, g.evaluations * g.group.rules.length);
      sample(fails, l, g.failures);
      sample(dur, l, g.run.evaluationMs / 1000);
      sample(rules, l, g.group.rules.length);
    }
    const sent = family(
      'prometheus_notifications_sent_total',
      'counter',
      'Total number of alerts sent.',
    );
    sample(sent, {}, this.#sent);
    const errs = family(
      'prometheus_notifications_errors_total',
      'counter',
      'Total number of errors sending alert notifications.',
    );
    sample(errs, {}, this.#sendErrors);
    const writes = family(
      'thanos_rule_remote_write_errors_total',
      'counter',
      'Rule results the receive path refused or could not take.',
    );
    sample(writes, {}, this.#writeErrors);
    return [evals, fails, dur, rules, sent, errs, writes];
  }
}

/**
 * The file name a group is known by (shown in /api/v1/rules, and hashed into its evaluation
 * offset): the bucket key, or with RULE_FILE_ROOT the path Prometheus knew the file under, so a
 * ruler taking over a Prometheus's rule files evaluates at the very same times.
 */
function ruleFileName(env: Env, key: string): string {
  const root = env.RULE_FILE_ROOT;
  return root === undefined ? key : `${root.replace(/\/?$/, '/')}${key.slice(RULES_PREFIX.length)}`;
}

/** A new group's alerting rules write ALERTS only once their state is restored (Prometheus). */
function unrestored(group: Group): Group {
  for (const r of group.rules) if (r instanceof AlertingRule) r.restored = false;
  return group;
}

/** The series with the ruler's external labels it does not have already (Prometheus's rule). */
function withLabels(metric: Labels, ext: Labels): Labels {
  const missing = ext.filter((e) => !metric.some((l) => l.name === e.name));
  if (missing.length === 0) return metric;
  return [...metric, ...missing].sort((a, b) => compareStrings(a.name, b.name));
}

/** The ruler's Durable Object (one for the Worker). */
export function rulerStub(ns: DurableObjectNamespace): DurableObjectStub {
  return ns.get(ns.idFromName('ruler'));
}
