/**
 * @module core/promql/parser/durations — Prometheus duration strings (prometheus/common
 * model.ParseDuration and model.Duration.String, v0.39): `1y2w3d4h5m6s7ms`, units in decreasing
 * order, each at most once; a year is 365d, a week 7d. Values are milliseconds.
 */
import { goQuote } from '../../gocompat/quote.ts';

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
export const MS_PER_WEEK = 7 * MS_PER_DAY;
export const MS_PER_YEAR = 365 * MS_PER_DAY;

const DURATION_RE =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const UNIT_MS = [
  MS_PER_YEAR,
  MS_PER_WEEK,
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  1,
];

/** Go's time.Duration is int64 nanoseconds: model.ParseDuration rejects what does not fit. */
const MAX_NS = (1n << 63n) - 1n;
const NS_PER_MS = 1_000_000n;

/** Error text of model.ParseDuration; the parser reports it verbatim. */
export class DurationError extends Error {}

/** model.ParseDuration: milliseconds; "0" is allowed without a unit. Throws DurationError. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new DurationError('empty duration string');
  const m = DURATION_RE.exec(s);
  if (!m) throw new DurationError(`not a valid duration string: ${goQuote(s)}`);
  let totalNs = 0n;
  let overflow = false;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const digits = m[i + 1];
    if (digits === undefined) continue;
    const unitNs = BigInt(UNIT_MS[i]!) * NS_PER_MS;
    const n = BigInt(digits);
    if (n > MAX_NS / unitNs) overflow = true;
    totalNs += n * unitNs;
    if (totalNs > MAX_NS) overflow = true;
  }
  if (overflow) throw new DurationError('duration out of range');
  return Number(totalNs / NS_PER_MS);
}

/** The parser's rule on top of model.ParseDuration: range, step and offset must not be 0. */
export function parsePositiveDuration(s: string): number {
  const ms = parseDuration(s);
  if (ms === 0) throw new DurationError('duration must be greater than 0');
  return ms;
}

/**
 * model.Duration.String: `0s` for zero; years and weeks only when they divide exactly (so 90d
 * stays `90d`, not `12w6d`). Negative input yields '' as in Go; callers print the sign themselves.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const unit = (name: string, mult: number, exact: boolean): void => {
    if (exact && rest % mult !== 0) return;
    const v = Math.trunc(rest / mult);
    if (v > 0) {
      out += `${v}${name}`;
      rest -= v * mult;
    }
  };
  unit('y', MS_PER_YEAR, true);
  unit('w', MS_PER_WEEK, true);
  unit('d', MS_PER_DAY, false);
  unit('h', MS_PER_HOUR, false);
  unit('m', MS_PER_MINUTE, false);
  unit('s', MS_PER_SECOND, false);
  unit('ms', 1, false);
  return out;
}
