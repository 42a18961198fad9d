/**
 * @module sidecar-agent/sidecar/prometheus-api-routes — what Thanos's sidecar serves beside the
 * StoreAPI (its Metadata, Targets and Exemplars APIs), over HTTP: `GET /api/v1/store/prometheus/
 * {metadata,targets,targets/metadata,query_exemplars,rules,alerts}` answer Prometheus's own `data`
 * for the same parameters, exemplar series and alerts with the external labels added (as the Thanos
 * sidecar adds them).
 * Token-protected like the StoreAPI.
 */
import { Hono } from 'hono';
import { apiErrorResponse } from '../../core/api/error-response.ts';
import { UnauthorizedError } from '../../core/errors.ts';
import type { Labels } from '../../core/labels/labels.ts';
import { bearerTokenValid } from '../../core/storeapi/auth.ts';
import type { PrometheusClient } from '../prometheus/client.ts';

export const PROMETHEUS_API_PREFIX = '/api/v1/store/prometheus/';

/** The read APIs passed on, and the parameters each takes (anything else is not forwarded). */
const PASSED: Readonly<Record<string, readonly string[]>> = {
  metadata: ['metric', 'limit'],
  targets: ['state'],
  'targets/metadata': ['match_target', 'metric', 'limit'],
  query_exemplars: ['query', 'start', 'end'],
  rules: ['type'],
  alerts: [],
};

interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: unknown[];
}

export function prometheusApiRoutes(o: {
  readonly prometheus: PrometheusClient;
  readonly token: string | undefined;
  readonly externalLabels: () => Labels;
}): Hono {
  const app = new Hono();
  app.get(`${PROMETHEUS_API_PREFIX}*`, async (c) => {
    if (!bearerTokenValid(c.req.header('authorization'), o.token ?? ''))
      throw new UnauthorizedError();
    const api = c.req.path.slice(PROMETHEUS_API_PREFIX.length);
    const allowed = PASSED[api];
    if (!allowed)
      return c.json({ status: 'error', errorType: 'not_found', error: `no API ${api}` }, 404);
    const given = new URL(c.req.url).searchParams;
    const params = new URLSearchParams();
    for (const [k, v] of given) if (allowed.includes(k)) params.append(k, v);
    let data = await o.prometheus.apiData(`${api}?${params}`, c.req.raw.signal);
    if (api === 'query_exemplars' && Array.isArray(data)) {
      const ext = o.externalLabels();
      data = (data as ExemplarSeries[]).map((s) => ({
        ...s,
        seriesLabels: {
          ...s.seriesLabels,
          ...Object.fromEntries(ext.map((l) => [l.name, l.value])),
        },
      }));
    }
    const extObj = () => Object.fromEntries(o.externalLabels().map((l) => [l.name, l.value]));
    // Alerts carry the external labels, as Thanos's sidecar Rules API gives them.
    const withExt = (a: { labels?: Record<string, string> }) => ({
      ...a,
      labels: { ...a.labels, ...extObj() },
    });
    if (api === 'alerts') {
      const d = data as { alerts?: Array<{ labels?: Record<string, string> }> };
      data = { ...d, alerts: (d.alerts ?? []).map(withExt) };
    }
    if (api === 'rules') {
      const d = data as {
        groups?: Array<{ rules?: Array<{ alerts?: Array<{ labels?: Record<string, string> }> }> }>;
      };
      data = {
        ...d,
        groups: (d.groups ?? []).map((g) => ({
          ...g,
          rules: (g.rules ?? []).map((r) =>
            r.alerts ? { ...r, alerts: r.alerts.map(withExt) } : r,
          ),
        })),
      };
    }
    return c.json({ status: 'success', data });
  });
  app.onError((err) => apiErrorResponse(err));
  return app;
}
