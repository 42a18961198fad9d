/**
 * @module core/api/federate-route — `/federate` as Prometheus serves it: for every `match[]`
 * selector, the latest sample of each matching series (within the lookback delta, deduplicated,
 * with the stores' external labels), in the text exposition format, families in name order with
 * `# TYPE <name> untyped`, each sample with its own timestamp in ms.
 */
import type { Hono } from 'hono';
import { BadDataError, ExecutionFailure } from '../errors.ts';
import { compareLabels, type Labels } from '../labels/labels.ts';
import { goFormatFloat } from '../gocompat/strconv.ts';
import type { ApiEnv, ApiOptions } from './options.ts';
import { Params } from './params.ts';
import { readOptions, selectorsParam } from './request.ts';

const NAME = '__name__';

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as the text format writes it (Go's 'g' shortest, +Inf, -Inf, NaN). */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return goFormatFloat(v, 'g', -1);
}

function sampleLine(ls: Labels, v: number, t: number): string {
  const name = ls.find((l) => l.name === NAME)?.value ?? '';
  const rest = ls.filter((l) => l.name !== NAME);
  const labels = rest.length
    ? `{${rest.map((l) => `${l.name}="${escapeValue(l.value)}"`).join(',')}}`
    : '';
  return `${name}${labels} ${formatValue(v)} ${t}`;
}

export function federateRoute<E extends object>(
  app: Hono<ApiEnv<E>>,
  options: ApiOptions<E>,
): void {
  const now = options.now ?? Date.now;
  app.on(['GET', 'POST'], '/federate', async (c) => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const selectors = selectorsParam(p, false);
    if (selectors.length === 0) throw new BadDataError('no match[] parameter provided');
    const o = readOptions(p, querier.settings, c.req.raw);
    const at = p.time('time', now());
    const lookback = o.lookbackDelta ?? querier.settings.lookbackDelta;
    const latest = new Map<string, { labels: Labels; v: number; t: number }>();
    for (const matchers of selectors) {
      // A range selector over the lookback window keeps the samples' own timestamps.
      const expr = `{${matchers.map((m) => m.toString()).join(',')}}[${lookback}ms]`;
      const result = await querier
        .engine(o)
        .instantQuery(expr, at, { signal: c.req.raw.signal })
        .catch((err: unknown) => {
          throw new ExecutionFailure(err);
        });
      if (result.value.type !== 'matrix') continue;
      for (const s of result.value.series) {
        const last = s.t.length - 1;
        if (last < 0) continue;
        latest.set(JSON.stringify(s.metric), { labels: s.metric, v: s.v[last]!, t: s.t[last]! });
      }
    }
    const series = [...latest.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    const lines: string[] = [];
    let family: string | undefined;
    for (const s of series) {
      const name = s.labels.find((l) => l.name === NAME)?.value ?? '';
      if (name !== family) {
        lines.push(`# TYPE ${name} untyped`);
        family = name;
      }
      lines.push(sampleLine(s.labels, s.v, s.t));
    }
    return new Response(lines.length ? `${lines.join('\n')}\n` : '', {
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    });
  });
}
