/**
 * @module core/auth/principal — who a request was authenticated as. The Worker's auth middleware
 * puts it on the Hono context; the querier and frontend read it (`principalOf`) to restrict a
 * tenant-bound caller to its tenant's series.
 */
import type { Context } from 'hono';
import { UnauthorizedError } from '../errors.ts';

/** A tenant name, as the receiver accepts it in THANOS-TENANT and AUTH_TOKENS binds tokens to. */
export const TENANT_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** How the caller proved who it is. `disabled`: AUTH_DISABLED=true and no credentials configured. */
export type AuthVia = 'token' | 'access' | 'disabled';

export interface Principal {
  /** The tenant a tenant-bound token or Access identity is restricted to; absent for admins. */
  readonly tenant?: string;
  /** True when the caller sees every tenant. */
  readonly admin: boolean;
  readonly via: AuthVia;
}

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}

/**
 * Principals by raw request: a sub-app called with `app.fetch(c.req.raw)` (the query frontend)
 * gets a fresh context, but the same Request object.
 */
const byRequest = new WeakMap<Request, Principal>();

/** Records the principal of an authenticated request on its context and its raw Request. */
export function setPrincipal(c: Context, principal: Principal): void {
  c.set('principal', principal);
  byRequest.set(c.req.raw, principal);
}

/**
 * The authenticated caller of this request. A route reached without the auth middleware is a
 * wiring bug; it fails closed (401) instead of answering as an admin.
 */
export function principalOf(c: Context): Principal {
  return c.get('principal') ?? requestPrincipal(c.req.raw);
}

/** The principal of a raw Request the middleware let through (for code given only the Request). */
export function requestPrincipal(req: Request): Principal {
  const p = byRequest.get(req);
  if (!p) throw new UnauthorizedError();
  return p;
}
