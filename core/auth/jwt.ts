/**
 * @module core/auth/jwt — JSON Web Tokens as Cloudflare Access issues them: RS256 (RFC 7518
 * §3.3) signatures checked with WebCrypto, then the registered claims (RFC 7519 §4.1): `aud`
 * must contain the audience, `iss` must be the issuer, `exp` is required, `nbf` and `iat` are
 * honoured, each with a small clock skew. Any other `alg` (none, HS256, …) is refused before a
 * key is looked at, so a public key can never be used as an HMAC secret.
 */
import { CredentialError } from './errors.ts';

/** The only algorithm accepted: Access signs with RSA PKCS#1 v1.5 and SHA-256. */
export const JWT_ALG = 'RS256';
/** WebCrypto's name and parameters for RS256. */
export const RS256_PARAMS = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
/** Clock skew allowed on exp/nbf/iat, in seconds. */
export const DEFAULT_SKEW_SECONDS = 60;
/** A JWT longer than this is not looked at (Access tokens are ~1-2 KiB; cookies max 4 KiB). */
export const MAX_JWT_LENGTH = 16 * 1024;

export interface JwtHeader {
  readonly alg: string;
  readonly kid?: string;
}

export type JwtClaims = Readonly<Record<string, unknown>>;

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly claims: JwtClaims;
  /** `base64url(header) "." base64url(payload)`, the bytes the signature covers. */
  readonly signingInput: Uint8Array<ArrayBuffer>;
  readonly signature: Uint8Array<ArrayBuffer>;
}

export interface ClaimChecks {
  readonly audience: string;
  readonly issuer: string;
  /** Current time in seconds since the epoch. */
  readonly nowSeconds: number;
  readonly skewSeconds?: number;
}

function base64UrlDecode(s: string, what: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new CredentialError(`jwt: ${what} is not base64url`);
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  } catch {
    throw new CredentialError(`jwt: ${what} is not base64url`);
  }
}

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new CredentialError(`jwt: ${what} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new CredentialError(`jwt: ${what} is not a JSON object`);
  }
  return v as Record<string, unknown>;
}

/** Splits and decodes a compact JWS; checks only its shape. */
export function decodeJwt(token: string): DecodedJwt {
  if (token.length > MAX_JWT_LENGTH) throw new CredentialError('jwt: too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new CredentialError('jwt: want three dot-separated parts');
  const [h, p, s] = parts as [string, string, string];
  const header = jsonObject(base64UrlDecode(h, 'header'), 'header');
  if (typeof header.alg !== 'string') throw new CredentialError('jwt: header has no alg');
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new CredentialError('jwt: kid is not a string');
  }
  const claims = jsonObject(base64UrlDecode(p, 'payload'), 'payload');
  return {
    header: { alg: header.alg, ...(header.kid !== undefined ? { kid: header.kid } : {}) },
    claims,
    signingInput: Uint8Array.from(new TextEncoder().encode(`${h}.${p}`)),
    signature: base64UrlDecode(s, 'signature'),
  };
}

/** Throws unless the header asks for RS256 and names a key. Returns the key id. */
export function rs256KeyId(jwt: DecodedJwt): string {
  if (jwt.header.alg !== JWT_ALG) throw new CredentialError(`jwt: alg ${jwt.header.alg} refused`);
  if (!jwt.header.kid) throw new CredentialError('jwt: no kid');
  return jwt.header.kid;
}

/** Throws unless the signature verifies with the RSA public key. */
export async function verifyRs256(jwt: DecodedJwt, key: CryptoKey): Promise<void> {
  const ok = await crypto.subtle.verify(RS256_PARAMS, key, jwt.signature, jwt.signingInput);
  if (!ok) throw new CredentialError('jwt: bad signature');
}

function numericDate(claims: JwtClaims, name: string, required: boolean): number | undefined {
  const v = claims[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CredentialError(`jwt: ${name} ${v === undefined ? 'missing' : 'not a number'}`);
  }
  return v;
}

/** Throws unless aud, iss, exp, nbf and iat say the token is for us, from the issuer, and current. */
export function checkClaims(claims: JwtClaims, checks: ClaimChecks): void {
  const skew = checks.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  const now = checks.nowSeconds;
  const aud = claims.aud;
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!auds.some((a) => a === checks.audience)) throw new CredentialError('jwt: audience');
  if (claims.iss !== checks.issuer) throw new CredentialError('jwt: issuer');
  const exp = numericDate(claims, 'exp', true)!;
  if (now >= exp + skew) throw new CredentialError('jwt: expired');
  const nbf = numericDate(claims, 'nbf', false);
  if (nbf !== undefined && now + skew < nbf) throw new CredentialError('jwt: not yet valid');
  const iat = numericDate(claims, 'iat', false);
  if (iat !== undefined && now + skew < iat) throw new CredentialError('jwt: issued in the future');
}
