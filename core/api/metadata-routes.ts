/**
 * @module core/api/metadata-routes — what exists, without evaluating PromQL: `/api/v1/series`,
 * `/api/v1/labels`, `/api/v1/label/<name>/values` and `/api/v1/metadata`. The querier applies
 * deduplication and partial response; these routes parse and shape.
 */
import type { Hono } from 'hono';
import { BadDataError, ExecutionFailure } from '../errors.ts';
import type { LabelsResponse } from '../storeapi/store.ts';
import { jsonResponse, labelsJson, successJson } from './prom-json.ts';
import { Params } from './params.ts';
import { readOptions, selectorsParam, timeRange } from './request.ts';
import type { ApiEnv, ApiOptions } from './options.ts';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function metadataRoutes<E extends object>(
  app: Hono<ApiEnv<E>>,
  options: ApiOptions<E>,
): void {
  app.on(['GET', 'POST'], '/api/v1/series', async (c) => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const selectors = selectorsParam(p, true);
    const { start, end } = timeRange(p);
    const o = readOptions(p, querier.settings, c.req.raw);
    const r = await querier.series({ selectors, start, end }, o).catch(fail);
    return jsonResponse(successJson(`[${r.series.map(labelsJson).join(',')}]`, r.warnings));
  });

  app.on(['GET', 'POST'], '/api/v1/labels', async (c) => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const selectors = selectorsParam(p, false);
    const o = readOptions(p, querier.settings, c.req.raw);
    const { start, end } = timeRange(p);
    return valuesResponse(await querier.labelNames({ selectors, start, end }, o).catch(fail));
  });

  app.on(['GET', 'POST'], '/api/v1/label/:name/values', async (c) => {
    const name = c.req.param('name');
    if (!LABEL_NAME.test(name))
      throw new BadDataError(`invalid label name: ${JSON.stringify(name)}`);
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const selectors = selectorsParam(p, false);
    const o = readOptions(p, querier.settings, c.req.raw);
    const { start, end } = timeRange(p);
    return valuesResponse(
      await querier.labelValues(name, { selectors, start, end }, o).catch(fail),
    );
  });
}

function fail(err: unknown): never {
  throw new ExecutionFailure(err);
}

function valuesResponse(r: LabelsResponse): Response {
  return jsonResponse(successJson(JSON.stringify(r.values), r.warnings));
}
