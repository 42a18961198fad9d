/**
 * @module core/storeapi/store-url — a remote store's URL as configured (`STORES`), split into
 * what may be shown and what must not: credentials in the URL (`https://:token@host` or
 * `https://user:token@host`) become that store's own bearer token and never appear in names,
 * warnings or `/api/v1/stores`. A token only travels over https or to a loopback host.
 */

export interface StoreUrl {
  /** The URL without credentials, query or fragment: the store's name everywhere. */
  readonly base: string;
  /** The store's own token (the URL's password, or its user when there is no password). */
  readonly token: string | undefined;
}

export function parseStoreUrl(raw: string): StoreUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // Not a URL: keep it as the name, with anything credential-like cut off.
    return { base: raw.replace(/\/\/[^/@]*@/, '//'), token: undefined };
  }
  const secret = decodeURIComponent(url.password || url.username) || undefined;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { base: url.toString().replace(/\/+$/, ''), token: secret };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a bearer token may be sent to `base`: https, or plain http to this machine only. */
export function tokenMayTravel(base: string): boolean {
  try {
    const url = new URL(base);
    return url.protocol === 'https:' || LOOPBACK.test(url.hostname);
  } catch {
    return false;
  }
}
