/**
 * @module core/api/prometheus-api-routes — the Prometheus read APIs a querier answers from the
 * Prometheus servers behind its sidecar stores, merged as Thanos's querier merges its Metadata,
 * Targets and Exemplars APIs: `/api/v1/metadata`, `/api/v1/targets`, `/api/v1/targets/metadata`
 * and `/api/v1/query_exemplars`. A failing store is a warning (or the error without partial
 * response). A tenant sees only what carries its tenant label (target labels with the store's
 * external labels, exemplar series), and metadata only of metric names it has series of.
 */
import type { Hono } from 'hono';
import { ExecutionFailure } from '../errors.ts';
import type { Labels } from '../labels/labels.ts';
import { MAX_TIME, MIN_TIME } from '../gocompat/time.ts';
import type { Querier, ReadOptions } from '../query/querier.ts';
import type { ApiEnv, ApiOptions } from './options.ts';
import { Params } from './params.ts';
import { jsonResponse, successJson } from './prom-json.ts';
import { queryParam, readOptions } from './request.ts';
import { scopeRulerAnswer } from './rules-tenancy.ts';

type Answers = Array<{ data: unknown; external: Labels }>;

interface Target {
  labels?: Record<string, string>;
  discoveredLabels?: Record<string, string>;
}

/** Whose a labelled thing is: its labels, with the store's external labels under them. */
function ownedBy(labels: Record<string, string> | undefined, external: Labels, label: string) {
  return labels?.[label] ?? external.find((l) => l.name === label)?.value;
}

function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function prometheusApiRoutes<E extends object>(
  app: Hono<ApiEnv<E>>,
  options: ApiOptions<E>,
): void {
  const fetchAll = async (
    c: { env: E; req: { raw: Request } },
    api: string,
    pass: readonly string[],
  ): Promise<{
    querier: Querier;
    o: ReadOptions;
    p: Params;
    answers: Answers;
    warnings: string[];
  }> => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const o = readOptions(p, querier.settings, c.req.raw);
    const params = new URLSearchParams();
    for (const name of pass) for (const v of p.getAll(name)) params.append(name, v);
    const r = await querier.prometheusApi(api, params, o).catch((err: unknown) => {
      throw new ExecutionFailure(err);
    });
    return { querier, o, p, ...r };
  };
  const tenantLabel = (q: Querier) => q.settings.tenancy?.label ?? 'tenant_id';

  app.get('/api/v1/metadata', async (c) => {
    const { querier, o, p, answers, warnings } = await fetchAll(c, 'metadata', ['metric', 'limit']);
    const merged: Record<string, unknown[]> = {};
    for (const a of answers) {
      for (const [metric, entries] of Object.entries((a.data ?? {}) as Record<string, unknown[]>))
        merged[metric] = unique([...(merged[metric] ?? []), ...entries]);
    }
    let names = Object.keys(merged);
    if (o.tenant !== undefined) {
      const visible = new Set(
        (
          await querier.labelValues(
            '__name__',
            { selectors: [], start: MIN_TIME, end: MAX_TIME },
            o,
          )
        ).values,
      );
      names = names.filter((n) => visible.has(n));
    }
    const limit = Number(p.get('limit') ?? '-1');
    if (limit >= 0) names = names.slice(0, limit);
    const data = Object.fromEntries(names.map((n) => [n, merged[n]]));
    return jsonResponse(successJson(JSON.stringify(data), warnings));
  });

  app.get('/api/v1/targets', async (c) => {
    const { querier, o, answers, warnings } = await fetchAll(c, 'targets', ['state']);
    const label = tenantLabel(querier);
    const active: unknown[] = [];
    const dropped: unknown[] = [];
    for (const a of answers) {
      const d = (a.data ?? {}) as { activeTargets?: Target[]; droppedTargets?: Target[] };
      for (const t of d.activeTargets ?? []) {
        if (o.tenant === undefined || ownedBy(t.labels, a.external, label) === o.tenant)
          active.push(t);
      }
      // Dropped targets are the operator's business: a tenant sees none.
      if (o.tenant === undefined) dropped.push(...(d.droppedTargets ?? []));
    }
    const data = { activeTargets: active, droppedTargets: dropped };
    return jsonResponse(successJson(JSON.stringify(data), warnings));
  });

  app.get('/api/v1/targets/metadata', async (c) => {
    const { querier, o, answers, warnings } = await fetchAll(c, 'targets/metadata', [
      'match_target',
      'metric',
      'limit',
    ]);
    const label = tenantLabel(querier);
    const out: unknown[] = [];
    for (const a of answers) {
      for (const m of (a.data ?? []) as Array<{ target?: Record<string, string> }>) {
        if (o.tenant === undefined || ownedBy(m.target, a.external, label) === o.tenant)
          out.push(m);
      }
    }
    return jsonResponse(successJson(JSON.stringify(out), warnings));
  });

  // Rules and alerts: this deployment's ruler first, then each sidecar's Prometheus (Thanos's
  // Rules API), a tenant seeing only alerts that carry its tenant.
  for (const path of ['/api/v1/rules', '/api/v1/alerts'] as const) {
    app.get(path, async (c) => {
      const api = path.slice('/api/v1/'.length);
      const { querier, o, answers, warnings } = await fetchAll(c, api, ['type']);
      const local = await options.localRules?.(c.env, path, new URL(c.req.url).search);
      const parts = [...(local !== undefined ? [local] : []), ...answers.map((a) => a.data)];
      const body =
        path === '/api/v1/rules'
          ? { data: { groups: parts.flatMap((d) => (d as { groups?: unknown[] }).groups ?? []) } }
          : { data: { alerts: parts.flatMap((d) => (d as { alerts?: unknown[] }).alerts ?? []) } };
      if (o.tenant !== undefined) scopeRulerAnswer(path, body, tenantLabel(querier), o.tenant);
      return jsonResponse(successJson(JSON.stringify(body.data), warnings));
    });
  }

  app.on(['GET', 'POST'], '/api/v1/query_exemplars', async (c) => {
    queryParam(await Params.from(c.req.raw.clone()), options.parseLimits?.(c.env));
    const { querier, o, answers, warnings } = await fetchAll(c, 'query_exemplars', [
      'query',
      'start',
      'end',
    ]);
    const label = tenantLabel(querier);
    const bySeries = new Map<
      string,
      { seriesLabels: Record<string, string>; exemplars: unknown[] }
    >();
    for (const a of answers) {
      for (const s of (a.data ?? []) as Array<{
        seriesLabels: Record<string, string>;
        exemplars: unknown[];
      }>) {
        if (o.tenant !== undefined && s.seriesLabels[label] !== o.tenant) continue;
        const key = JSON.stringify(Object.entries(s.seriesLabels).sort());
        const had = bySeries.get(key);
        if (had) had.exemplars = unique([...had.exemplars, ...s.exemplars]);
        else bySeries.set(key, { seriesLabels: s.seriesLabels, exemplars: [...s.exemplars] });
      }
    }
    return jsonResponse(successJson(JSON.stringify([...bySeries.values()]), warnings));
  });
}
