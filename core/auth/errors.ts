/** @module core/auth/errors — the auth configuration is unusable: every protected route refuses. */
import { ThanosEdgeError } from '../errors.ts';

/**
 * A malformed AUTH_TOKENS or Cloudflare Access setting. The message names the variable and the
 * entry's position, never a secret. Fails closed: nothing but the health routes answers.
 */
export class AuthConfigError extends ThanosEdgeError {
  override readonly name = 'AuthConfigError';
  readonly kind = 'internal' as const;
}

/**
 * A credential that does not authenticate (a JWT that fails a check, say). The reason is for
 * tests and debugging only; the HTTP answer is the same bare 401 for every reason.
 */
export class CredentialError extends ThanosEdgeError {
  override readonly name = 'CredentialError';
  readonly kind = 'unauthorized' as const;
}

/** The Access signing keys could not be fetched, so no Access JWT can be checked (HTTP 503). */
export class AccessKeysUnavailableError extends ThanosEdgeError {
  override readonly name = 'AccessKeysUnavailableError';
  readonly kind = 'unavailable' as const;
}
