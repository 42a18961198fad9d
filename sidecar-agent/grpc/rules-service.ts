/**
 * @module sidecar-agent/grpc/rules-service — Thanos's `thanos.Rules` service (rulespb rpc.proto)
 * answered from Prometheus's `/api/v1/rules`, as the Thanos sidecar does: `type` ALERT/RECORD is
 * passed on as `type=alert|record`, one RuleGroup per response message, each rule's labels
 * extended with the external labels (and, as our HTTP route, each alert instance's: Thanos's
 * sidecar leaves them out, thanos-io/thanos#7327). Groups are marked ABORT, as Thanos marks
 * Prometheus's. Prometheus 2.42 has no rule_name/rule_group/file/match filters: they are not
 * applied here either (the Thanos Querier filters itself).
 */
import type { Labels } from '../../core/labels/labels.ts';
import { thanos } from '../../core/storeapi/proto/gen/rulespb.js';
import type { PrometheusApiSource } from '../sidecar/prometheus-apis.ts';
import { labelSet, protoTimestamp, responses } from './prometheus-json.ts';
import type { GrpcMethod } from './server.ts';

export const RULES_SERVICE = 'thanos.Rules';

/** RulesRequest.Type → Prometheus's `type` parameter (ALL: none). */
const TYPE_PARAM: Readonly<Record<number, string>> = {
  [thanos.RulesRequest.Type.ALERT]: 'alert',
  [thanos.RulesRequest.Type.RECORD]: 'record',
};

const ALERT_STATE: Readonly<Record<string, thanos.AlertState>> = {
  inactive: thanos.AlertState.INACTIVE,
  pending: thanos.AlertState.PENDING,
  firing: thanos.AlertState.FIRING,
};

/** Prometheus's `/api/v1/rules` JSON (web/api/v1 RuleGroup, AlertingRule, RecordingRule). */
interface RuleGroupJson {
  name?: string;
  file?: string;
  rules?: RuleJson[];
  interval?: number;
  limit?: number;
  evaluationTime?: number;
  lastEvaluation?: string;
}
interface RuleJson {
  type?: string;
  state?: string;
  name?: string;
  query?: string;
  duration?: number;
  keepFiringFor?: number;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  alerts?: AlertJson[] | null;
  health?: string;
  lastError?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
}
interface AlertJson {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  state?: string;
  activeAt?: string | null;
  value?: string;
}

export function rulesMethods(source: PrometheusApiSource): Map<string, GrpcMethod> {
  return new Map<string, GrpcMethod>([
    [
      `/${RULES_SERVICE}/Rules`,
      {
        type: 'server_stream',
        handle(req, ctx) {
          const type = TYPE_PARAM[thanos.RulesRequest.decode(req).type];
          const params = new URLSearchParams(type ? { type } : {});
          return responses(
            source.data('rules', params, ctx.signal).then((data) => {
              const ext = source.externalLabels();
              const groups = (data as { groups?: RuleGroupJson[] } | null)?.groups ?? [];
              return groups.map((g) =>
                thanos.RulesResponse.encode({ group: ruleGroup(g, ext) }).finish(),
              );
            }),
          );
        },
      },
    ],
  ]);
}

function ruleGroup(g: RuleGroupJson, ext: Labels): thanos.RuleGroup.$Properties {
  return {
    name: g.name ?? '',
    file: g.file ?? '',
    rules: (g.rules ?? []).flatMap((r) => {
      const rule = toRule(r, ext);
      return rule ? [rule] : [];
    }),
    interval: g.interval ?? 0,
    evaluation_duration_seconds: g.evaluationTime ?? 0,
    last_evaluation: protoTimestamp(g.lastEvaluation) ?? null,
    limit: g.limit ?? 0,
    PartialResponseStrategy: thanos.PartialResponseStrategy.ABORT,
  };
}

function toRule(r: RuleJson, ext: Labels): thanos.Rule.$Properties | undefined {
  const common = {
    name: r.name ?? '',
    query: r.query ?? '',
    labels: labelSet(r.labels, ext),
    health: r.health ?? '',
    last_error: r.lastError ?? '',
    evaluation_duration_seconds: r.evaluationTime ?? 0,
    last_evaluation: protoTimestamp(r.lastEvaluation) ?? null,
  };
  if (r.type === 'recording') return { recording: common };
  if (r.type !== 'alerting') return undefined;
  return {
    alert: {
      ...common,
      state: ALERT_STATE[r.state ?? ''] ?? thanos.AlertState.INACTIVE,
      duration_seconds: r.duration ?? 0,
      keep_firing_for_seconds: r.keepFiringFor ?? 0,
      annotations: labelSet(r.annotations),
      // Alert instances already carry the external labels (prometheusApiData).
      alerts: (r.alerts ?? []).map((a) => ({
        labels: labelSet(a.labels),
        annotations: labelSet(a.annotations),
        state: ALERT_STATE[a.state ?? ''] ?? thanos.AlertState.INACTIVE,
        active_at: protoTimestamp(a.activeAt) ?? null,
        value: a.value ?? '',
      })),
    },
  };
}
