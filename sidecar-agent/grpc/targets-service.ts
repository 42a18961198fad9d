/**
 * @module sidecar-agent/grpc/targets-service — Thanos's `thanos.Targets` service (targetspb
 * rpc.proto) answered from Prometheus's `/api/v1/targets`, as the Thanos sidecar does: `state`
 * ACTIVE/DROPPED is passed on as `state=active|dropped`, the whole discovery in one message, the
 * external labels added to active targets' discovered and target labels and to dropped targets'
 * discovered labels.
 */
import type { Labels } from '../../core/labels/labels.ts';
import { thanos } from '../../core/storeapi/proto/gen/targetspb.js';
import type { PrometheusApiSource } from '../sidecar/prometheus-apis.ts';
import { labelSet, protoTimestamp, responses } from './prometheus-json.ts';
import type { GrpcMethod } from './server.ts';

export const TARGETS_SERVICE = 'thanos.Targets';

/** TargetsRequest.State → Prometheus's `state` parameter (ANY: none). */
const STATE_PARAM: Readonly<Record<number, string>> = {
  [thanos.TargetsRequest.State.ACTIVE]: 'active',
  [thanos.TargetsRequest.State.DROPPED]: 'dropped',
};

const HEALTH: Readonly<Record<string, thanos.TargetHealth>> = {
  up: thanos.TargetHealth.UP,
  down: thanos.TargetHealth.DOWN,
  unknown: thanos.TargetHealth.UNKNOWN,
};

/** Prometheus's `/api/v1/targets` JSON (web/api/v1 TargetDiscovery). */
interface TargetDiscoveryJson {
  activeTargets?: ActiveTargetJson[] | null;
  droppedTargets?: Array<{ discoveredLabels?: Record<string, string> }> | null;
}
interface ActiveTargetJson {
  discoveredLabels?: Record<string, string>;
  labels?: Record<string, string>;
  scrapePool?: string;
  scrapeUrl?: string;
  globalUrl?: string;
  lastError?: string;
  lastScrape?: string;
  lastScrapeDuration?: number;
  health?: string;
}

export function targetsMethods(source: PrometheusApiSource): Map<string, GrpcMethod> {
  return new Map<string, GrpcMethod>([
    [
      `/${TARGETS_SERVICE}/Targets`,
      {
        type: 'server_stream',
        handle(req, ctx) {
          const state = STATE_PARAM[thanos.TargetsRequest.decode(req).state];
          const params = new URLSearchParams(state ? { state } : {});
          return responses(
            source.data('targets', params, ctx.signal).then((data) => {
              const targets = targetDiscovery(
                (data ?? {}) as TargetDiscoveryJson,
                source.externalLabels(),
              );
              return [thanos.TargetsResponse.encode({ targets }).finish()];
            }),
          );
        },
      },
    ],
  ]);
}

function targetDiscovery(d: TargetDiscoveryJson, ext: Labels): thanos.TargetDiscovery.$Properties {
  return {
    activeTargets: (d.activeTargets ?? []).map((t) => ({
      discoveredLabels: labelSet(t.discoveredLabels, ext),
      labels: labelSet(t.labels, ext),
      scrapePool: t.scrapePool ?? '',
      scrapeUrl: t.scrapeUrl ?? '',
      globalUrl: t.globalUrl ?? '',
      lastError: t.lastError ?? '',
      lastScrape: protoTimestamp(t.lastScrape) ?? null,
      lastScrapeDuration: t.lastScrapeDuration ?? 0,
      health: HEALTH[t.health ?? ''] ?? thanos.TargetHealth.UNKNOWN,
    })),
    droppedTargets: (d.droppedTargets ?? []).map((t) => ({
      discoveredLabels: labelSet(t.discoveredLabels, ext),
    })),
  };
}
