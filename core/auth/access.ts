/**
 * @module core/auth/access — Cloudflare Access in front of the Worker: a request carrying an
 * Access JWT (`Cf-Access-Jwt-Assertion`, or the `CF_Authorization` cookie) is accepted only if
 * the token verifies against the team's signing keys and is for this application (aud), from this
 * team (iss) and current. An Access identity is an admin unless the tenant claim names its tenant.
 * See developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/.
 */
import { AuthConfigError, CredentialError } from './errors.ts';
import { checkClaims, decodeJwt, rs256KeyId, verifyRs256 } from './jwt.ts';
import { RemoteKeySet, type RemoteKeySetOptions } from './key-set.ts';
import { TENANT_RE, type Principal } from './principal.ts';

/** Where a team publishes its signing keys, under its origin. */
export const ACCESS_CERTS_PATH = '/cdn-cgi/access/certs';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The team's origin (also the tokens' `iss`) from CF_ACCESS_TEAM_DOMAIN: a host name
 * (`myteam.cloudflareaccess.com`) or an https URL. Plain http only for a loopback host (tests).
 */
export function accessIssuer(teamDomain: string): string {
  const raw = teamDomain.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new AuthConfigError('CF_ACCESS_TEAM_DOMAIN: not a host name or URL');
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  ) {
    throw new AuthConfigError('CF_ACCESS_TEAM_DOMAIN: want https (http only on loopback)');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw new AuthConfigError('CF_ACCESS_TEAM_DOMAIN: want an origin, without a path');
  }
  return url.origin;
}

export interface AccessOptions extends RemoteKeySetOptions {
  readonly teamDomain: string;
  /** The application's Audience (AUD) tag. */
  readonly audience: string;
  /** A claim whose string value is the identity's tenant (CF_ACCESS_TENANT_CLAIM). */
  readonly tenantClaim?: string;
  readonly skewSeconds?: number;
}

export class AccessVerifier {
  readonly issuer: string;
  readonly #audience: string;
  readonly #tenantClaim: string | undefined;
  readonly #skew: number | undefined;
  readonly #keys: RemoteKeySet;
  readonly #now: () => number;

  constructor(options: AccessOptions) {
    if (!options.audience.trim()) throw new AuthConfigError('CF_ACCESS_AUD: empty');
    this.issuer = accessIssuer(options.teamDomain);
    this.#audience = options.audience.trim();
    this.#tenantClaim = options.tenantClaim?.trim() || undefined;
    this.#skew = options.skewSeconds;
    this.#now = options.now ?? Date.now;
    this.#keys = new RemoteKeySet(`${this.issuer}${ACCESS_CERTS_PATH}`, options);
  }

  /** The principal of a valid token; throws CredentialError (401) for any failed check. */
  async verify(token: string): Promise<Principal> {
    const jwt = decodeJwt(token);
    const kid = rs256KeyId(jwt);
    const key = await this.#keys.key(kid);
    if (!key) throw new CredentialError('jwt: unknown kid');
    await verifyRs256(jwt, key);
    checkClaims(jwt.claims, {
      audience: this.#audience,
      issuer: this.issuer,
      nowSeconds: this.#now() / 1000,
      ...(this.#skew !== undefined ? { skewSeconds: this.#skew } : {}),
    });
    if (this.#tenantClaim === undefined) return { admin: true, via: 'access' };
    const tenant = jwt.claims[this.#tenantClaim];
    if (tenant === undefined) return { admin: true, via: 'access' };
    if (typeof tenant !== 'string' || !TENANT_RE.test(tenant)) {
      throw new CredentialError('jwt: tenant claim is not a tenant name');
    }
    return { tenant, admin: false, via: 'access' };
  }
}
