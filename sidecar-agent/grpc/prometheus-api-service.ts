/**
 * @module sidecar-agent/grpc/prometheus-api-service — what Thanos's Rules, Targets, Metadata and
 * Exemplars services share when they answer from a Prometheus (as the Thanos sidecar does): the
 * four services' gRPC methods together, and what thanos.info.Info then advertises. Each service
 * asks Prometheus's HTTP API through sidecar/prometheus-apis.ts and converts with
 * prometheus-json.ts.
 */
import type { PrometheusApiSource } from '../sidecar/prometheus-apis.ts';
import { exemplarsMethods } from './exemplars-service.ts';
import { metadataMethods } from './metadata-service.ts';
import { rulesMethods } from './rules-service.ts';
import type { GrpcMethod } from './server.ts';
import type { InfoCapability } from './store-service.ts';
import { targetsMethods } from './targets-service.ts';

/** What thanos.info.Info advertises when prometheusApiMethods are served. */
export const PROMETHEUS_API_CAPABILITIES: readonly InfoCapability[] = [
  'rules',
  'targets',
  'metric_metadata',
  'exemplars',
];

/** thanos.Rules, thanos.Targets, thanos.Metadata and thanos.Exemplars, answered from `source`. */
export function prometheusApiMethods(source: PrometheusApiSource): Map<string, GrpcMethod> {
  return new Map([
    ...rulesMethods(source),
    ...targetsMethods(source),
    ...metadataMethods(source),
    ...exemplarsMethods(source),
  ]);
}
