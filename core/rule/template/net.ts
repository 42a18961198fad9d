/**
 * @module core/rule/template/net — the bits of Go's net and net/url that Prometheus template
 * functions call: SplitHostPort, JoinHostPort, ParseIP (as a yes/no), url.QueryEscape.
 */

/** Go's net.SplitHostPort; undefined where Go returns an error. */
export function splitHostPort(hp: string): { host: string; port: string } | undefined {
  const colon = hp.lastIndexOf(':');
  if (colon < 0) return undefined;
  if (hp.startsWith('[')) {
    const end = hp.indexOf(']');
    if (end < 0 || end + 1 !== colon) return undefined;
    const host = hp.slice(1, end);
    return { host, port: hp.slice(colon + 1) };
  }
  const host = hp.slice(0, colon);
  if (host.includes(':') || host.includes('[') || host.includes(']')) return undefined;
  const port = hp.slice(colon + 1);
  if (port.includes('[') || port.includes(']')) return undefined;
  return { host, port };
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether Go's net.ParseIP accepts `s` (dotted IPv4, or IPv6 with an optional IPv4 tail). */
export function isIP(s: string): boolean {
  if (V4.test(s)) return true;
  if (!s.includes(':') || s.includes('%')) return false;
  let body = s;
  let groupsFromV4 = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    if (!V4.test(s.slice(lastColon + 1))) return false;
    body = `${s.slice(0, lastColon)}:0`;
    groupsFromV4 = 1;
  }
  const parts = body.split('::');
  if (parts.length > 2) return false;
  const groups = parts.map((p) => (p === '' ? [] : p.split(':')));
  for (const g of groups) for (const h of g) if (!/^[0-9a-fA-F]{1,4}$/.test(h)) return false;
  const n = groups.reduce((a, g) => a + g.length, 0) + groupsFromV4;
  return parts.length === 2 ? n <= 8 : n === 8;
}

/** Go's url.QueryEscape: space as `+`, everything but `A-Za-z0-9-_.~` percent-encoded. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
