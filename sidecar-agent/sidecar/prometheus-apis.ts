/**
 * @module sidecar-agent/sidecar/prometheus-apis — the Prometheus read APIs a Thanos sidecar passes
 * on beside the StoreAPI (its Rules, Targets, Metadata and Exemplars APIs): which parameters each
 * takes, and Prometheus's own `data` for them with the sidecar's external labels added where the
 * Thanos sidecar adds them (exemplar series, alerts). One place for the HTTP routes
 * (prometheus-api-routes.ts) and the gRPC services (grpc/*-service.ts).
 */
import type { Labels } from '../../core/labels/labels.ts';
import type { PrometheusClient } from '../prometheus/client.ts';

/** The read APIs passed on, and the parameters each takes (anything else is not forwarded). */
export const PASSED_PARAMS = {
  metadata: ['metric', 'limit'],
  targets: ['state'],
  'targets/metadata': ['match_target', 'metric', 'limit'],
  query_exemplars: ['query', 'start', 'end'],
  rules: ['type'],
  alerts: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type PrometheusReadApi = keyof typeof PASSED_PARAMS;

export function isPrometheusReadApi(api: string): api is PrometheusReadApi {
  return Object.hasOwn(PASSED_PARAMS, api);
}

/** Prometheus's `data` for one read API, the external labels in force, for the gRPC services. */
export interface PrometheusApiSource {
  /**
   * `data` of `/api/v1/<api>` as prometheusApiData gives it. Throws StoreUnavailableError while
   * Prometheus is unreachable (or before the sidecar has read its external labels), BadDataError
   * when Prometheus refuses the parameters.
   */
  data(api: PrometheusReadApi, params: URLSearchParams, signal?: AbortSignal): Promise<unknown>;
  /** The external labels in force, sorted. */
  externalLabels(): Labels;
}

type LabelMap = Record<string, string>;

interface ExemplarSeries {
  seriesLabels?: LabelMap;
}
interface AlertJson {
  labels?: LabelMap;
}
interface RulesJson {
  groups?: Array<{ rules?: Array<{ alerts?: AlertJson[] }> }>;
}

/** `labels` with the external labels added; on a name clash the external label wins (as Thanos). */
export function withExternalMap(labels: LabelMap | undefined, ext: Labels): LabelMap {
  const out: LabelMap = { ...labels };
  for (const l of ext) out[l.name] = l.value;
  return out;
}

/**
 * Prometheus's `data` for `/api/v1/<api>?<params>` (only the parameters the API takes are sent):
 * exemplar series and alerts (in `alerts`, and in `rules`' alerting rules) carry the external
 * labels, as the Thanos sidecar gives them.
 */
export async function prometheusApiData(
  prometheus: PrometheusClient,
  api: PrometheusReadApi,
  given: URLSearchParams,
  ext: Labels,
  signal?: AbortSignal,
): Promise<unknown> {
  const allowed: readonly string[] = PASSED_PARAMS[api];
  const params = new URLSearchParams();
  for (const [k, v] of given) if (allowed.includes(k)) params.append(k, v);
  const data = await prometheus.apiData(`${api}?${params}`, signal);
  const alert = (a: AlertJson): AlertJson => ({ ...a, labels: withExternalMap(a.labels, ext) });
  switch (api) {
    case 'query_exemplars':
      return Array.isArray(data)
        ? (data as ExemplarSeries[]).map((s) => ({
            ...s,
            seriesLabels: withExternalMap(s.seriesLabels, ext),
          }))
        : data;
    case 'alerts': {
      const d = data as { alerts?: AlertJson[] };
      return { ...d, alerts: (d.alerts ?? []).map(alert) };
    }
    case 'rules': {
      const d = data as RulesJson;
      return {
        ...d,
        groups: (d.groups ?? []).map((g) => ({
          ...g,
          rules: (g.rules ?? []).map((r) => (r.alerts ? { ...r, alerts: r.alerts.map(alert) } : r)),
        })),
      };
    }
    default:
      return data;
  }
}
