/**
 * @module worker/auth — the Worker's front door: every request but the health check must
 * authenticate before any route runs. Credentials, tried in this order:
 *
 * 1. a Cloudflare Access JWT (`Cf-Access-Jwt-Assertion` or the `CF_Authorization` cookie), when
 *    CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD are set; a request carrying one is accepted only if
 *    it verifies, whatever else it carries;
 * 2. an AUTH_TOKENS token, as `Authorization: Bearer <token>` or as a Basic-auth password;
 * 3. on StoreAPI routes also STORE_TOKEN, on remote write RECEIVE_TOKEN (default STORE_TOKEN).
 *
 * With no AUTH_TOKENS and no Access configured every protected route answers 401, unless
 * AUTH_DISABLED=true (for a loopback stack); StoreAPI and remote write still want their tokens.
 * `/-/healthy` is always public, `/-/ready` when AUTH_PUBLIC_READY=true. A 401 is the same bare
 * answer whatever failed, and nothing here logs or echoes a credential.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { apiErrorResponse } from '../core/api/error-response.ts';
import { AccessVerifier } from '../core/auth/access.ts';
import { accessJwt, authorizationSecret } from '../core/auth/credentials.ts';
import { AuthConfigError, CredentialError } from '../core/auth/errors.ts';
import { setPrincipal, type Principal } from '../core/auth/principal.ts';
import { parseAuthTokens, TokenSet } from '../core/auth/tokens.ts';
import { UnauthorizedError } from '../core/errors.ts';
import { bearerTokenValid } from '../core/storeapi/auth.ts';
import { tenancyVars, type Env } from './env.ts';

export { principalOf, type Principal } from '../core/auth/principal.ts';

/** The challenge that makes a browser show its login prompt. */
export const WWW_AUTHENTICATE = 'Basic realm="thanos-edge", charset="UTF-8"';

/** Paths that never ask for credentials. */
const HEALTH_PATH = '/-/healthy';
const READY_PATH = '/-/ready';
/** Routes with a token of their own, accepted besides AUTH_TOKENS and Access. */
const STORE_PREFIX = '/api/v1/store/';
const RECEIVE_PATHS = new Set(['/api/v1/receive', '/api/v1/write']);

/** The authentication configuration of an env, built once per isolate and configuration. */
export interface Authenticator {
  readonly tokens: TokenSet;
  readonly access: AccessVerifier | undefined;
  /** AUTH_DISABLED=true with nothing configured: every read route is open. */
  readonly disabled: boolean;
}

const truthy = (v: string | undefined): boolean => v?.trim().toLowerCase() === 'true';

function authKey(env: Env): string {
  return JSON.stringify([
    env.AUTH_TOKENS ?? '',
    env.AUTH_DISABLED ?? '',
    env.CF_ACCESS_TEAM_DOMAIN ?? '',
    env.CF_ACCESS_AUD ?? '',
    env.CF_ACCESS_TENANT_CLAIM ?? '',
  ]);
}

async function buildAuthenticator(env: Env): Promise<Authenticator> {
  const tokens = await TokenSet.from(parseAuthTokens(env.AUTH_TOKENS ?? ''));
  const team = env.CF_ACCESS_TEAM_DOMAIN?.trim();
  const aud = env.CF_ACCESS_AUD?.trim();
  if (Boolean(team) !== Boolean(aud)) {
    // One without the other cannot check a token: refuse everything rather than guess.
    throw new AuthConfigError('CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD must be set together');
  }
  const access =
    team && aud
      ? new AccessVerifier({
          teamDomain: team,
          audience: aud,
          ...(env.CF_ACCESS_TENANT_CLAIM ? { tenantClaim: env.CF_ACCESS_TENANT_CLAIM } : {}),
        })
      : undefined;
  // Configured credentials always win: AUTH_DISABLED cannot switch configured auth off.
  const disabled = tokens.size === 0 && !access && truthy(env.AUTH_DISABLED);
  return { tokens, access, disabled };
}

let current: { key: string; auth: Authenticator } | undefined;

/** The isolate's authenticator for this env (rebuilt when the configuration changes). */
export async function authenticatorFor(env: Env): Promise<Authenticator> {
  const key = authKey(env);
  if (current?.key === key) return current.auth;
  const auth = await buildAuthenticator(env);
  current = { key, auth };
  return auth;
}

/**
 * Who the request is, by AUTH_TOKENS or Access; undefined when it presents nothing valid.
 * `openWhenDisabled`: whether AUTH_DISABLED=true admits a request without credentials.
 */
export async function authenticate(
  req: Request,
  auth: Authenticator,
  openWhenDisabled: boolean,
): Promise<Principal | undefined> {
  const jwt = auth.access ? accessJwt(req.headers) : undefined;
  if (jwt !== undefined) {
    try {
      return await auth.access!.verify(jwt);
    } catch (err) {
      if (err instanceof CredentialError) return undefined;
      throw err;
    }
  }
  const secret = authorizationSecret(req.headers.get('authorization'));
  if (secret !== undefined) {
    const grant = await auth.tokens.match(secret);
    if (grant) {
      return grant.tenant === undefined
        ? { admin: true, via: 'token' }
        : { tenant: grant.tenant, admin: false, via: 'token' };
    }
  }
  if (auth.disabled && openWhenDisabled) return { admin: true, via: 'disabled' };
  return undefined;
}

/** The 401 every failed check gets: Prometheus's error JSON plus the Basic challenge. */
export function unauthorizedResponse(): Response {
  const r = apiErrorResponse(new UnauthorizedError());
  r.headers.set('www-authenticate', WWW_AUTHENTICATE);
  r.headers.set('cache-control', 'no-store');
  return r;
}

/** The token a route accepts besides AUTH_TOKENS and Access, if any. */
function routeToken(path: string, env: Env): string | undefined {
  if (path.startsWith(STORE_PREFIX)) return env.STORE_TOKEN ?? '';
  if (RECEIVE_PATHS.has(path)) return env.RECEIVE_TOKEN ?? env.STORE_TOKEN ?? '';
  return undefined;
}

/**
 * A tenant-bound caller reads as its tenant whatever it sent: the querier's tenant header is set
 * to it (replacing any the client sent), so every copy of the request the frontend and querier
 * make carries it, and the cache keys with it. (Remote write checks the header itself: 403.)
 */
function scopeToTenant(c: Context<{ Bindings: Env }>, tenant: string): void {
  const headers = new Headers(c.req.raw.headers);
  headers.set(tenancyVars(c.env).header, tenant);
  c.req.raw = new Request(c.req.raw, { headers });
}

/** The middleware: mount it first (`app.use('*', authMiddleware())`). */
export function authMiddleware(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c: Context<{ Bindings: Env }>, next) => {
    const path = c.req.path;
    if (path === HEALTH_PATH || (path === READY_PATH && truthy(c.env.AUTH_PUBLIC_READY))) {
      return next();
    }
    const token = routeToken(path, c.env);
    if (token !== undefined && bearerTokenValid(c.req.header('authorization'), token)) {
      // STORE_TOKEN / RECEIVE_TOKEN: another querier or a remote-write sender, for all tenants.
      setPrincipal(c, { admin: true, via: 'token' });
      return next();
    }
    const principal = await authenticate(
      c.req.raw,
      await authenticatorFor(c.env),
      token === undefined,
    );
    if (!principal) return unauthorizedResponse();
    if (principal.tenant !== undefined && !RECEIVE_PATHS.has(path))
      scopeToTenant(c, principal.tenant);
    setPrincipal(c, principal);
    return next();
  };
}
