import { describe, expect, it } from 'vitest';
import { MAX_FORM_BYTES } from '../api/params.ts';
import { QueryTimeoutError } from '../errors.ts';
import { queryFrontend } from './frontend.ts';
import { FrontendMetrics } from './metrics.ts';

const frontend = queryFrontend<object>({
  downstream: async () => new Response('{"status":"success","data":[]}'),
  rangeQuery: () => Promise.reject(new Error('not reached')),
  settings: () => ({
    splitInterval: 0,
    maxFreshness: 0,
    maxRetries: 0,
    cache: undefined,
    metrics: new FrontendMetrics(),
  }),
});

describe('query frontend: requests it cannot read', () => {
  it("answers an unreadable form with the querier's 400 bad_data envelope", async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/api/v1/query_range', { 'content-type': 'multipart/form-data' }, 'query=up'],
      ['/api/v1/series', { 'content-length': String(MAX_FORM_BYTES + 1) }, 'match[]=up'],
      ['/api/v1/labels', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nbroken'],
    ];
    for (const [path, headers, body] of cases) {
      const res = await frontend.fetch(
        new Request(`http://x${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body,
        }),
        {},
      );
      expect(res.status, path).toBe(400);
      const json = (await res.json()) as { status: string; errorType: string; error: string };
      expect(json, path).toMatchObject({ status: 'error', errorType: 'bad_data' });
      expect(json.error, path).toMatch(/^error parsing form values: /);
    }
  });
});

describe('query frontend: retries', () => {
  it('does not retry a query that timed out: it would time out again, six times over', async () => {
    let evaluated = 0;
    let sent = 0;
    const timeoutBody = '{"status":"error","errorType":"timeout","error":"query timed out"}';
    const f = queryFrontend<object>({
      downstream: async () => {
        sent++;
        return new Response(timeoutBody, { status: 503 });
      },
      rangeQuery: async () => {
        evaluated++;
        throw new QueryTimeoutError('query timed out in expression evaluation');
      },
      settings: () => ({
        splitInterval: 3600_000,
        maxFreshness: 0,
        maxRetries: 5,
        cache: undefined,
        metrics: new FrontendMetrics(),
      }),
    });
    const split = await f.fetch(
      new Request('http://x/api/v1/query_range?query=up&start=0&end=7200&step=60'),
      {},
    );
    expect(split.status).toBe(503);
    expect(((await split.json()) as { errorType: string }).errorType).toBe('timeout');
    expect(evaluated).toBe(1);
    // Passed through (stats=all is not split): the querier's 503 timeout, sent once.
    const through = await f.fetch(
      new Request('http://x/api/v1/query_range?query=up&start=0&end=7200&step=60&stats=all'),
      {},
    );
    expect(through.status).toBe(503);
    expect(await through.text()).toBe(timeoutBody);
    expect(sent).toBe(1);
  });
});
