/**
 * @module core/frontend/cache-key — what makes two requests' answers interchangeable: the path,
 * every parameter but the time range and cache controls (so dedup, partial response, replica
 * labels, resolution, lookback and store matchers all separate entries), and the tenant.
 */

/** Parameters that never change an answer's points (time range, cache control, stats). */
const NOT_IN_KEY = new Set(['start', 'end', 'time', 'cache', 'stats', 'timeout', '_']);

/** Canonical text of a request for cache keys: sorted parameters, then the tenant. */
export function requestIdentity(
  path: string,
  params: readonly (readonly [string, string])[],
  tenant: string,
): string {
  const kept = params
    .filter(([k]) => !NOT_IN_KEY.has(k))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort();
  return `${path}?${kept.join('&')}#tenant=${encodeURIComponent(tenant)}`;
}

/** SHA-256 hex of a key's parts, short enough for any cache's key length. */
export async function cacheKey(...parts: readonly (string | number)[]): Promise<string> {
  const bytes = new TextEncoder().encode(parts.join('\u0000'));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
