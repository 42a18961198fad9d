/**
 * @module core/gocompat/duration — the two duration syntaxes of the Prometheus world, in ms:
 * Prometheus's (prometheus/common model.ParseDuration and model.Duration.String, v0.39:
 * `1y2w3d4h5m6s7ms`, what PromQL, the HTTP API and Thanos's YAML `model.Duration` fields take)
 * and Go's (time.ParseDuration and Duration.String: `1.5h`, `300ms`, `1h2m3s`, what kingpin's
 * Duration flags take), each with its own error texts.
 */
import { goQuote } from './quote.ts';

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

/** Error text of model.ParseDuration (or time.ParseDuration); callers report it verbatim. */
export class DurationError extends Error {}

/**
 * MAX_NS in whole milliseconds: every unit of model.ParseDuration is a whole number of ms, so a
 * sum of them fits int64 ns exactly when its ms are at most this (Number arithmetic is exact up to
 * 2^53, and a term past this is out of range whatever rounding made of it).
 */
const MAX_MS = Number(MAX_NS / NS_PER_MS);

/** model.ParseDuration: milliseconds; "0" is allowed without a unit. Throws DurationError. */
export function parsePromDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new DurationError('empty duration string');
  const m = DURATION_RE.exec(s);
  if (!m) throw new DurationError(`not a valid duration string: ${goQuote(s)}`);
  let totalMs = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const digits = m[i + 1];
    if (digits === undefined) continue;
    totalMs += Number(digits) * UNIT_MS[i]!;
    if (!(totalMs <= MAX_MS)) throw new DurationError('duration out of range');
  }
  return totalMs;
}

/**
 * model.Duration.String: `0s` for zero; years and weeks only when they divide exactly (so 90d
 * stays `90d`, not `12w6d`). Negative input yields '' as in Go; callers print the sign themselves.
 */
export function formatPromDuration(ms: number): string {
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

/** Nanoseconds per unit of Go's time.ParseDuration (both spellings of µ). */
const GO_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const U63 = 1n << 63n;

/** The time package's own quote(): ASCII as is (with `"` and `\\` escaped), other bytes as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp >= 0x80) {
      for (const b of new TextEncoder().encode(ch)) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/**
 * Go's `time.ParseDuration` in whole milliseconds (`int64(d / time.Millisecond)`, truncated):
 * `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` over ns, us, µs, ms, s, m, h, with Go's overflow checks and
 * its error texts (`time: invalid duration "x"`, `time: missing unit …`, `time: unknown unit …`).
 */
export function goParseDuration(s: string): number {
  const invalid = (): never => {
    throw new DurationError(`time: invalid duration ${timeQuote(s)}`);
  };
  let rest = s;
  let neg = false;
  if (rest[0] === '-' || rest[0] === '+') {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') invalid();
  let d = 0n;
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest)!;
    const [all, int, frac] = m as unknown as [string, string, string | undefined];
    if (int === '' && (frac === undefined || frac === '')) invalid(); // ".s", "x"
    let v = BigInt(int || '0');
    if (v > U63) invalid(); // leadingInt overflows
    // leadingFraction: digits past what an int64 holds are read but ignored.
    let f = 0n;
    let scale = 1;
    for (const c of frac ?? '') {
      const y = f * 10n + BigInt(c);
      if (f > (U63 - 1n) / 10n || y > U63) break;
      f = y;
      scale *= 10;
    }
    rest = rest.slice(all.length);
    const u = /^[^0-9.]*/.exec(rest)![0];
    if (u === '') throw new DurationError(`time: missing unit in duration ${timeQuote(s)}`);
    rest = rest.slice(u.length);
    const unit = Object.hasOwn(GO_UNITS, u) ? GO_UNITS[u]! : undefined;
    if (unit === undefined) {
      throw new DurationError(`time: unknown unit ${timeQuote(u)} in duration ${timeQuote(s)}`);
    }
    if (v > U63 / unit) invalid();
    v *= unit;
    // Go takes the fraction through float64 ("nanosecond accurate for fractions of hours").
    if (f > 0n) v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
    if (v > U63) invalid();
    d += v;
    if (d > U63) invalid();
  }
  if (!neg && d > U63 - 1n) invalid();
  const ms = d / 1_000_000n;
  return Number(neg ? -ms : ms);
}

/** Go's time.Duration.String for a whole number of milliseconds. */
export function goFormatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let u = Math.abs(ms);
  let out: string;
  if (u < 1000) out = `${u}ms`;
  else {
    const frac = u % 1000;
    u = (u - frac) / 1000;
    const s = u % 60;
    u = (u - s) / 60;
    const m = u % 60;
    const h = (u - m) / 60;
    const fs = frac ? `.${String(frac).padStart(3, '0').replace(/0+$/, '')}` : '';
    out = `${s}${fs}s`;
    if (h > 0 || m > 0) out = `${m}m${out}`;
    if (h > 0) out = `${h}h${out}`;
  }
  return neg ? `-${out}` : out;
}

/** Go's `Duration.Seconds()` of a duration in ms: whole seconds plus the nanosecond rest / 1e9. */
export function goDurationSeconds(ms: number): number {
  const sec = Math.trunc(ms / 1000);
  const restNs = (ms - sec * 1000) * 1e6;
  return sec + restNs / 1e9;
}
