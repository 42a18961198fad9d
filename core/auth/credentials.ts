/**
 * @module core/auth/credentials — the secret a request presents: `Authorization: Bearer <token>`,
 * or the password of HTTP Basic auth (any user name, so Grafana's basic-auth setting and a
 * browser's prompt both work), and the Cloudflare Access JWT (header or cookie).
 */

/** The header Cloudflare Access adds to every request it lets through. */
export const ACCESS_JWT_HEADER = 'cf-access-jwt-assertion';
/** The cookie Access sets in the browser after its login. */
export const ACCESS_JWT_COOKIE = 'CF_Authorization';

/**
 * The bearer token or Basic-auth password of an Authorization header; undefined when the header
 * is absent or malformed. The scheme is case-insensitive (RFC 9110 §11.1).
 */
export function authorizationSecret(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const sp = header.indexOf(' ');
  if (sp <= 0) return undefined;
  const scheme = header.slice(0, sp).toLowerCase();
  const value = header.slice(sp + 1).trim();
  if (value === '') return undefined;
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') return basicPassword(value);
  return undefined;
}

/** The password of a Basic credential (`base64(user:password)`, UTF-8), or undefined. */
function basicPassword(b64: string): string | undefined {
  let text: string;
  try {
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const password = text.slice(colon + 1);
  return password === '' ? undefined : password;
}

/** A cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return v === '' ? undefined : v;
    }
  }
  return undefined;
}

/** The Access JWT of a request: the header Access adds, else the browser's cookie. */
export function accessJwt(headers: Headers): string | undefined {
  const h = headers.get(ACCESS_JWT_HEADER)?.trim();
  if (h) return h;
  return cookieValue(headers.get('cookie'), ACCESS_JWT_COOKIE);
}
