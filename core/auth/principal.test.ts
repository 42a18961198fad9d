import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { principalOf, requestPrincipal, setPrincipal, type Principal } from './principal.ts';

describe('principalOf', () => {
  const tenant: Principal = { tenant: 'team-a', admin: false, via: 'token' };

  it('reads the principal set by the middleware, also in a sub-app given the raw request', async () => {
    const inner = new Hono();
    inner.get('/inner', (c) => c.json(principalOf(c)));
    const app = new Hono();
    app.use('*', async (c, next) => {
      setPrincipal(c, tenant);
      await next();
    });
    app.get('/direct', (c) => c.json(principalOf(c)));
    // As worker/index.ts hands requests to the query frontend: a fresh context, the same Request.
    app.get('/inner', (c) => inner.fetch(c.req.raw));
    app.get('/raw', (c) => c.json(requestPrincipal(c.req.raw)));
    for (const path of ['/direct', '/inner', '/raw']) {
      const r = await app.request(path);
      expect(r.status, path).toBe(200);
      expect(await r.json(), path).toEqual(tenant);
    }
  });

  it('fails closed (401) where no middleware authenticated the request', async () => {
    const app = new Hono();
    app.get('/open', (c) => c.json(principalOf(c)));
    app.onError((err) =>
      Response.json({ name: err.name }, { status: err.name === 'UnauthorizedError' ? 401 : 500 }),
    );
    const r = await app.request('/open');
    expect(r.status).toBe(401);
    expect(() => requestPrincipal(new Request('http://x/'))).toThrow(/unauthorized/);
  });
});
