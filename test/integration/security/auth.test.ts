/**
 * Authentication on every endpoint of the real Worker in workerd (Miniflare):
 * - every route of the router (its route table, read from the Worker itself, so a new route
 *   cannot be forgotten) and the UI answer 401 without credentials, with a wrong bearer token and
 *   with a wrong Basic password, with Prometheus's error JSON and a Basic challenge; the right
 *   bearer token or Basic password gets through; `/-/healthy` is always public;
 * - secure by default: no AUTH_TOKENS and no Access → 401, unless AUTH_DISABLED=true;
 * - Cloudflare Access: a JWT from a local key server (keys generated here) is accepted; wrong
 *   aud, expired, wrong key, alg none/HS256, unknown kid are not; a rotated key is fetched;
 * - no token, JWT or Basic credential shows in any answer (body or header) or Worker log line.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateTestKey,
  signHs256,
  signJwt,
  startAccessTeam,
  unsignedJwt,
  type AccessTeam,
  type TestKey,
} from '../../helpers/access-keys.ts';
import { remoteWriteBody, remoteWriteHeaders } from '../../helpers/remote-write.ts';
import { startWorker, type StartWorkerOptions, type WorkerHandle } from '../../helpers/worker.ts';
import { ensureUiBuilt } from '../ui/ui-build.ts';

const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const ADMIN = secret('admin');
const TENANT = secret('tenant');
const STORE = secret('store');
const RECEIVE = secret('receive');
const AUD = secret('aud');

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Every secret a test sends: none may come back in an answer or a log line. */
const sentSecrets = new Set<string>([ADMIN, TENANT, STORE, RECEIVE]);
/** Every answer (status, headers, body) and every log line, checked for secrets at the end. */
const answers: string[] = [];
const logs: string[] = [];

interface Route {
  readonly method: string;
  readonly path: string;
}

/** The Worker's route table, from the Worker bundle itself (auth-routes-probe.mjs). */
async function routeTable(): Promise<Route[]> {
  const probe = await startWorker({
    entry: join(import.meta.dirname, 'auth-routes-probe.mjs'),
    r2: false,
  });
  try {
    return (await (await probe.fetch('/')).json()) as Route[];
  } finally {
    await probe.stop();
  }
}

/** Concrete requests for the route table: parameters filled, wildcards (middleware) left out. */
function requestsFor(table: readonly Route[]): Route[] {
  const out = new Map<string, Route>();
  for (const r of table) {
    if (r.path.includes('*')) continue;
    const method = r.method === 'ALL' ? 'GET' : r.method;
    const path = r.path.replace(/:\w+(\{[^}]*\})?/g, 'job');
    out.set(`${method} ${path}`, { method, path });
  }
  return [...out.values()];
}

/** Paths of the UI (files, SPA routes): served through the Worker, so behind auth too. */
const UI_PATHS = ['/', '/graph', '/stores', '/index.html', '/app.js', '/app.css', '/no/such/page'];

async function call(
  w: WorkerHandle,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: BodyInit,
): Promise<{ status: number; headers: Headers; text: string }> {
  const r = await w.fetch(path, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: body ?? '' }),
    redirect: 'manual',
  });
  const text = method === 'HEAD' ? '' : await r.text();
  answers.push(`${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`);
  return { status: r.status, headers: r.headers, text };
}

function expectUnauthorized(a: { status: number; headers: Headers; text: string }, what: string) {
  expect(a.status, what).toBe(401);
  expect(a.headers.get('www-authenticate'), what).toMatch(/^Basic realm="thanos-edge"/);
  expect(JSON.parse(a.text), what).toEqual({
    status: 'error',
    errorType: 'unauthorized',
    error: 'unauthorized',
  });
}

async function start(options: StartWorkerOptions): Promise<WorkerHandle> {
  return startWorker({ ...options, logs });
}

describe('auth on every route', () => {
  let table: Route[];
  let requests: Route[];
  let worker: WorkerHandle;

  beforeAll(async () => {
    await ensureUiBuilt();
    table = await routeTable();
    requests = requestsFor(table);
    worker = await start({
      ui: true,
      receive: true,
      ruler: true,
      vars: {
        AUTH_TOKENS: `${ADMIN}, team-a:${TENANT}`,
        STORE_TOKEN: STORE,
        RECEIVE_TOKEN: RECEIVE,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
  });

  it('reads the route table from the Worker', () => {
    const paths = new Set(requests.map((r) => `${r.method} ${r.path}`));
    for (const known of [
      'GET /-/healthy',
      'GET /-/ready',
      'GET /metrics',
      'GET /api/v1/query',
      'POST /api/v1/query_range',
      'GET /api/v1/label/job/values',
      'GET /api/v1/blocks',
      'GET /api/v1/stores',
      'GET /api/v1/store/info',
      'POST /api/v1/store/series',
      'POST /api/v1/receive',
      'POST /api/v1/write',
      'GET /api/v1/rules',
      'GET /api/v1/alerts',
    ]) {
      expect(paths, known).toContain(known);
    }
    // Before any route, only middleware: request logging, CORS (preflights), then auth.
    const firstRoute = table.findIndex((r) => r.method !== 'ALL');
    expect(table.slice(0, firstRoute)).toEqual([
      { method: 'ALL', path: '/*' },
      { method: 'ALL', path: '/api/*' },
      { method: 'ALL', path: '/*' },
    ]);
  });

  it('answers 401 on every route but /-/healthy without the right credentials', async () => {
    const wrong: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['wrong bearer', { authorization: `Bearer ${secret('wrong')}` }],
      ['wrong basic password', { authorization: basic('admin', secret('wrong')) }],
      // The token as the user name is not the password.
      ['token as basic user', { authorization: basic(ADMIN, 'x') }],
      ['token without scheme', { authorization: ADMIN }],
      ['token with a suffix', { authorization: `Bearer ${ADMIN}x` }],
      ['token prefix', { authorization: `Bearer ${ADMIN.slice(0, -1)}` }],
    ];
    let checked = 0;
    for (const { method, path } of [
      ...requests,
      ...UI_PATHS.map((p) => ({ method: 'GET', path: p })),
    ]) {
      for (const [what, headers] of wrong) {
        const a = await call(worker, method, path, headers);
        if (path === '/-/healthy') {
          expect(a.status, `${method} ${path} (${what})`).toBe(200);
          continue;
        }
        expectUnauthorized(a, `${method} ${path} (${what})`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30 * wrong.length);
  });

  it('refuses the StoreAPI and remote-write tokens outside their routes', async () => {
    for (const { method, path } of requests) {
      if (path === '/-/healthy') continue;
      const store = path.startsWith('/api/v1/store/');
      const receive = path === '/api/v1/receive' || path === '/api/v1/write';
      if (!store) {
        expectUnauthorized(
          await call(worker, method, path, { authorization: `Bearer ${STORE}` }),
          `${method} ${path} with STORE_TOKEN`,
        );
      }
      if (!receive) {
        expectUnauthorized(
          await call(worker, method, path, { authorization: `Bearer ${RECEIVE}` }),
          `${method} ${path} with RECEIVE_TOKEN`,
        );
      }
    }
  });

  it('lets the right bearer token or Basic password through on every route', async () => {
    const right: Array<[string, Record<string, string>]> = [
      ['admin bearer', { authorization: `Bearer ${ADMIN}` }],
      ['admin basic (Grafana)', { authorization: basic('grafana', ADMIN) }],
      ['admin basic, empty user', { authorization: basic('', ADMIN) }],
      ['tenant bearer', { authorization: `Bearer ${TENANT}` }],
      ['tenant basic', { authorization: basic('team-a', TENANT) }],
    ];
    for (const { method, path } of requests) {
      const own = path.startsWith('/api/v1/store/')
        ? STORE
        : path === '/api/v1/receive' || path === '/api/v1/write'
          ? RECEIVE
          : undefined;
      const variants = own
        ? [
            ...right,
            ['route token', { authorization: `Bearer ${own}` }] as [string, Record<string, string>],
          ]
        : right;
      for (const [what, headers] of variants) {
        const a = await call(worker, method, path, headers);
        expect(a.status, `${method} ${path} (${what}): ${a.text.slice(0, 200)}`).not.toBe(401);
      }
    }
  });

  it('accepts remote write with RECEIVE_TOKEN or an AUTH token, and refuses it otherwise', async () => {
    const now = Date.now();
    const body = () =>
      remoteWriteBody([{ labels: { __name__: 'auth_rw', job: 'a' }, samples: [[now, 1]] }]);
    for (const token of [RECEIVE, ADMIN]) {
      const r = await call(worker, 'POST', '/api/v1/receive', remoteWriteHeaders(token), body());
      expect(r.status, r.text).toBe(204);
    }
    for (const token of [STORE, secret('nope')]) {
      expectUnauthorized(
        await call(worker, 'POST', '/api/v1/receive', remoteWriteHeaders(token), body()),
        'remote write with a wrong token',
      );
    }
    const q = await call(worker, 'GET', `/api/v1/query?query=auth_rw&time=${now / 1000}`, {
      authorization: `Bearer ${ADMIN}`,
    });
    expect(JSON.parse(q.text).data.result).toHaveLength(1);
  });

  it('lets a tenant-bound token write as its own tenant only', async () => {
    const now = Date.now();
    const body = (job: string) =>
      remoteWriteBody([{ labels: { __name__: 'auth_rw_tenant', job }, samples: [[now, 1]] }]);
    const other = await call(
      worker,
      'POST',
      '/api/v1/receive',
      remoteWriteHeaders(TENANT, 'team-b'),
      body('b'),
    );
    expect(other.status, other.text).toBe(403);
    // A refused write is answered after its body is read: the next request on the same
    // keep-alive connection gets its answer, not "other side closed".
    const large = remoteWriteBody(
      Array.from({ length: 20_000 }, (_, i) => ({
        labels: { __name__: 'auth_rw_refused', job: `j${i}` },
        samples: [[now, i]] as Array<[number, number]>,
      })),
    );
    for (let i = 0; i < 20; i++) {
      const refused = await call(
        worker,
        'POST',
        '/api/v1/receive',
        remoteWriteHeaders(TENANT, 'team-b'),
        large,
      );
      const next = await call(worker, 'GET', '/api/v1/status/buildinfo', {
        authorization: `Bearer ${ADMIN}`,
      });
      expect([refused.status, next.status]).toEqual([403, 200]);
    }
    for (const [tenant, job] of [
      [undefined, 'own-default'],
      ['team-a', 'own-header'],
    ] as const) {
      const r = await call(
        worker,
        'POST',
        '/api/v1/receive',
        remoteWriteHeaders(TENANT, tenant),
        body(job),
      );
      expect(r.status, r.text).toBe(204);
    }
    const q = await call(worker, 'GET', `/api/v1/query?query=auth_rw_tenant&time=${now / 1000}`, {
      authorization: `Bearer ${ADMIN}`,
    });
    const result = JSON.parse(q.text).data.result as Array<{ metric: Record<string, string> }>;
    expect(result.map((r) => `${r.metric.job} ${r.metric.tenant_id}`).sort()).toEqual([
      'own-default team-a',
      'own-header team-a',
    ]);
  });

  it('serves the UI after auth, with security headers and the SPA fallback', async () => {
    const auth = { authorization: basic('u', ADMIN) };
    for (const path of ['/', '/graph', '/stores', '/no/such/page']) {
      const a = await call(worker, 'GET', path, auth);
      expect(a.status, path).toBe(200);
      expect(a.text, path).toContain('<main id="app">');
      expect(a.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(a.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(a.headers.get('x-frame-options'), path).toBe('DENY');
      expect(a.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(a.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    const js = await call(worker, 'GET', '/app.js', auth);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    // An unknown API path is a 404 from the API, not the UI's index.html.
    const api = await call(worker, 'GET', '/api/v1/no_such_endpoint', auth);
    expect(api.status).toBe(404);
    expect(api.text).not.toContain('<main id="app">');
  });
});

describe('secure by default', () => {
  const workers: WorkerHandle[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
  });
  const startKept = async (o: StartWorkerOptions) => {
    const w = await start(o);
    workers.push(w);
    return w;
  };

  it('is how wrangler.toml deploys: Worker first for every path, AUTH_DISABLED never set', async () => {
    const toml = await readFile(
      join(import.meta.dirname, '..', '..', '..', 'wrangler.toml'),
      'utf8',
    );
    expect(toml).toMatch(/^run_worker_first = true$/m);
    expect(toml).not.toMatch(/^\s*AUTH_DISABLED\s*=/m);
    expect(toml).not.toMatch(/^\s*AUTH_TOKENS\s*=/m);
  });

  it('answers 401 everywhere but /-/healthy when nothing is configured', async () => {
    const w = await startKept({ openAuth: false, ui: true });
    expect((await call(w, 'GET', '/-/healthy')).status).toBe(200);
    for (const path of [
      '/-/ready',
      '/metrics',
      '/api/v1/query?query=1',
      '/api/v1/labels',
      '/api/v1/blocks',
      '/api/v1/stores',
      '/',
      '/graph',
    ]) {
      expectUnauthorized(await call(w, 'GET', path), path);
      expectUnauthorized(
        await call(w, 'GET', path, { authorization: basic('u', secret('any')) }),
        `${path} with made-up credentials`,
      );
    }
  });

  it('opens reads with AUTH_DISABLED=true, but not the StoreAPI or remote write', async () => {
    const w = await startKept({
      openAuth: false,
      receive: true,
      vars: { AUTH_DISABLED: 'true', AUTH_PUBLIC_READY: 'true', STORE_TOKEN: STORE },
    });
    expect((await call(w, 'GET', '/api/v1/query?query=1')).status).toBe(200);
    expect((await call(w, 'GET', '/-/ready')).status).toBe(200);
    expectUnauthorized(await call(w, 'GET', '/api/v1/store/info'), 'StoreAPI without its token');
    expectUnauthorized(await call(w, 'POST', '/api/v1/receive'), 'remote write without its token');
    expect(
      (await call(w, 'GET', '/api/v1/store/info', { authorization: `Bearer ${STORE}` })).status,
    ).toBe(200);
  });

  it('keeps configured tokens required even with AUTH_DISABLED=true; /-/ready public only when asked', async () => {
    const w = await startKept({
      openAuth: false,
      vars: { AUTH_DISABLED: 'true', AUTH_TOKENS: ADMIN },
    });
    expectUnauthorized(await call(w, 'GET', '/api/v1/query?query=1'), 'query without a token');
    expectUnauthorized(await call(w, 'GET', '/-/ready'), '/-/ready without AUTH_PUBLIC_READY');
    expect(
      (await call(w, 'GET', '/api/v1/query?query=1', { authorization: `Bearer ${ADMIN}` })).status,
    ).toBe(200);
  });

  it('fails closed on a malformed AUTH_TOKENS, without naming the token', async () => {
    const short = 'short-tok';
    sentSecrets.add(short);
    const w = await startKept({ openAuth: false, vars: { AUTH_TOKENS: `${ADMIN},${short}` } });
    const a = await call(w, 'GET', '/api/v1/query?query=1', { authorization: `Bearer ${ADMIN}` });
    expect(a.status).toBe(500);
    expect(a.text).toMatch(/AUTH_TOKENS entry 2/);
    expect((await call(w, 'GET', '/-/healthy')).status).toBe(200);
  });
});

describe('Cloudflare Access', () => {
  let team: AccessTeam;
  let k1: TestKey;
  let k2: TestKey;
  let impostor: TestKey;
  let worker: WorkerHandle;
  const claims = (over: Record<string, unknown> = {}) => {
    const s = Math.floor(Date.now() / 1000);
    return {
      aud: [AUD],
      iss: team.origin,
      email: 'a@example.com',
      sub: 'u1',
      iat: s - 5,
      nbf: s - 5,
      exp: s + 600,
      ...over,
    };
  };
  const jwt = async (key: TestKey, over: Record<string, unknown> = {}) => {
    const t = await signJwt(key, claims(over));
    sentSecrets.add(t);
    return t;
  };
  const withJwt = (t: string) => ({ 'cf-access-jwt-assertion': t });
  const PATH = '/api/v1/status/buildinfo';

  beforeAll(async () => {
    [k1, k2, impostor] = await Promise.all(['k1', 'k2', 'k1'].map((k) => generateTestKey(k)));
    team = await startAccessTeam([k1]);
    worker = await start({
      openAuth: false,
      ui: true,
      vars: {
        CF_ACCESS_TEAM_DOMAIN: team.origin,
        CF_ACCESS_AUD: AUD,
        CF_ACCESS_TENANT_CLAIM: 'tenant',
        AUTH_TOKENS: ADMIN,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await team?.stop();
  });

  it('accepts a valid Access JWT, in the header or the CF_Authorization cookie', async () => {
    const t = await jwt(k1);
    expect((await call(worker, 'GET', PATH, withJwt(t))).status).toBe(200);
    expect((await call(worker, 'GET', PATH, { cookie: `x=1; CF_Authorization=${t}` })).status).toBe(
      200,
    );
    const ui = await call(worker, 'GET', '/graph', { cookie: `CF_Authorization=${t}` });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('<main id="app">');
    // A tenant-bound identity gets through as well (its tenant is the querier's business).
    expect(
      (await call(worker, 'GET', PATH, withJwt(await jwt(k1, { tenant: 'team-a' })))).status,
    ).toBe(200);
    expect(team.fetches.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong audience, an expired token, a wrong key, alg none, HS256 and an unknown kid', async () => {
    const s = Math.floor(Date.now() / 1000);
    const bad: Record<string, string> = {
      'wrong aud': await jwt(k1, { aud: ['another-app'] }),
      'wrong iss': await jwt(k1, { iss: 'https://evil.cloudflareaccess.com' }),
      expired: await jwt(k1, { exp: s - 3600 }),
      'not yet valid': await jwt(k1, { nbf: s + 3600 }),
      'wrong key': await jwt(impostor),
      'alg none': unsignedJwt('k1', claims()),
      HS256: await signHs256(JSON.stringify(k1.publicJwk), 'k1', claims()),
      'unknown kid': await jwt(k2),
      'bad tenant claim': await jwt(k1, { tenant: ['a', 'b'] }),
      garbage: 'a.b.c',
    };
    for (const [what, t] of Object.entries(bad)) {
      sentSecrets.add(t);
      expectUnauthorized(await call(worker, 'GET', PATH, withJwt(t)), what);
      expectUnauthorized(
        await call(worker, 'GET', PATH, { cookie: `CF_Authorization=${t}` }),
        `${what} (cookie)`,
      );
    }
  });

  it('does not let a valid token rescue a request with a bad Access JWT; tokens alone still work', async () => {
    const bad = await jwt(k1, { aud: ['another-app'] });
    expectUnauthorized(
      await call(worker, 'GET', PATH, { ...withJwt(bad), authorization: `Bearer ${ADMIN}` }),
      'bad JWT + good token',
    );
    expect((await call(worker, 'GET', PATH, { authorization: `Bearer ${ADMIN}` })).status).toBe(
      200,
    );
    expectUnauthorized(await call(worker, 'GET', PATH), 'nothing');
  });

  it('fetches the keys again when the team rotates to a new kid', async () => {
    team.keys = [k1, k2];
    // The Worker refetches for an unknown kid at most every 5s (a flood of made-up kids is cheap).
    const last = team.fetches.at(-1) ?? 0;
    await new Promise((r) => setTimeout(r, Math.max(0, last + 5_200 - Date.now())));
    const before = team.fetches.length;
    expect((await call(worker, 'GET', PATH, withJwt(await jwt(k2)))).status).toBe(200);
    expect(team.fetches.length).toBe(before + 1);
    expect((await call(worker, 'GET', PATH, withJwt(await jwt(k1)))).status).toBe(200);
  }, 30_000);
});

describe('the UI under its CSP in headless Chromium', () => {
  let worker: WorkerHandle;
  let browser: Browser;
  beforeAll(async () => {
    await ensureUiBuilt();
    worker = await start({ ui: true, vars: { AUTH_TOKENS: ADMIN } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
  });

  it('asks a browser without the right credentials to log in', async () => {
    // Headless Chromium cannot show the login prompt a Basic challenge opens: the navigation ends
    // in ERR_INVALID_AUTH_CREDENTIALS, or (its stored credentials refused) on the 401 page.
    for (const creds of [undefined, { username: 'me', password: secret('wrong') }]) {
      const context = await browser.newContext(creds ? { httpCredentials: creds } : {});
      const page = await context.newPage();
      const outcome = await page.goto(new URL('/graph', worker.url).toString()).then(
        async (r) => `${r?.status()} ${await r?.headerValue('www-authenticate')}`,
        (err: Error) => err.message,
      );
      expect(outcome).toMatch(/ERR_INVALID_AUTH_CREDENTIALS|^401 Basic realm="thanos-edge"/);
      expect(await page.locator('.cm-editor').count()).toBe(0);
      await context.close();
    }
  });

  it('runs with the browser logged in by Basic auth, without a CSP violation', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'me', password: ADMIN },
    });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    await page.goto(new URL('/graph', worker.url).toString());
    await page.locator('.cm-editor').first().waitFor({ timeout: 30_000 });
    await page.locator('.cm-content').first().click();
    await page.keyboard.type('vector(1)');
    // Listen before asking: the answer can arrive before a listener added after the click. The
    // button, not Enter, runs it: a completion popup still open would take the Enter.
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/query'), {
      timeout: 30_000,
    });
    await page.locator('.panel .execute').first().click();
    expect((await answer).status()).toBe(200);
    for (const path of ['/stores', '/blocks']) {
      await page.goto(new URL(path, worker.url).toString());
      await page.waitForLoadState('networkidle');
    }
    expect(violations).toEqual([]);
    // And the policy is in force: an injected inline script does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.appendChild(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await context.close();
  }, 120_000);
});

describe('no secret in any answer or log line', () => {
  it('never echoes a token, a JWT or a Basic credential', () => {
    // Runs last (vitest runs a file's tests in order): everything above was recorded.
    expect(answers.length).toBeGreaterThan(500);
    expect(logs.join('')).toMatch(/\/api\/v1\//);
    const haystacks = [...answers, ...logs];
    for (const s of sentSecrets) {
      const forms = [s, Buffer.from(s).toString('base64'), encodeURIComponent(s)];
      for (const h of haystacks)
        for (const f of forms)
          expect(h.includes(f), `secret echoed: ${h.slice(0, 300)}`).toBe(false);
    }
  });
});
