/** @module ui/time — Prometheus-style durations ("1h30m") and the URL's UTC time format. */

const UNITS: Array<[string, number]> = [
  ['y', 31_536_000],
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
];

/** Seconds in a duration like "1h30m" or "90s", or null when it does not parse. */
export function parseDuration(s: string): number | null {
  const t = s.trim();
  if (!/^(\d+(ms|y|w|d|h|m|s))+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g))
    total += Number(m[1]) * UNITS.find(([u]) => u === m[2])![1];
  return total;
}

export function formatDuration(sec: number): string {
  if (sec <= 0) return '0s';
  let rest = Math.round(sec * 1000) / 1000;
  let out = '';
  for (const [u, n] of UNITS) {
    if (u === 'ms') continue;
    const q = Math.floor(rest / n);
    if (q > 0) {
      out += `${q}${u}`;
      rest -= q * n;
    }
  }
  return out || `${Math.round(sec * 1000)}ms`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DD HH:mm:ss" in UTC, the format of Prometheus's `end_input`/`moment_input`. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function parseTime(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/.exec(s.trim());
  if (!m) return null;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** Range steps for the -/+ buttons, as Prometheus offers them. */
export const RANGE_STEPS = [
  60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800, 1209600, 2419200, 5184000,
  31536000,
];

/** How long ago an RFC 3339 time was ("12s ago", "3m ago", "2h ago"); "never" for none. */
export function formatAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60
    ? `${s}s ago`
    : s < 3600
      ? `${Math.round(s / 60)}m ago`
      : `${Math.round(s / 3600)}h ago`;
}
