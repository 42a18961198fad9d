/**
 * @module core/gocompat/time — Go's time where Prometheus exposes it: the calendar fields of
 * `time.Unix(sec, 0).UTC()` as Go 1.19 computes them (PromQL's date functions), and the bounds of
 * an open time range.
 *
 * Ordinary times go through exact integer arithmetic on days (proleptic Gregorian, like Go). Values
 * whose int64 conversion is out of the safe range — NaN, ±Inf, |v| ≥ 2^53 — follow Go's own path on
 * uint64 "absolute" seconds with int64 wrap-around in BigInt, because Prometheus returns whatever
 * that arithmetic yields (amd64 turns NaN and out-of-range floats into -2^63: math.ts goInt64).
 */

/**
 * The bounds of an open time range in ms: what Prometheus's API means by a missing start or end
 * (its minTime/maxTime, about ±292 million years) and Thanos's StoreAPI by math.MinInt64 and
 * MaxInt64. Neither fits a JS number exactly, so ±(2^53 - 1) stands for both: it travels as an
 * int64 through protobufjs unchanged, lies 285,000 years from 1970 (no sample is outside), and is
 * what /api/v1/stores shows for a store without an end.
 */
export const MIN_TIME = -9007199254740991;
export const MAX_TIME = 9007199254740991;

export interface CivilTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 1..366 */
  yearDay: number;
  /** 0 = Sunday */
  weekday: number;
  hour: number;
  minute: number;
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2 && isLeap(year)) return 29;
  return DAYS_BEFORE[month]! - DAYS_BEFORE[month - 1]!;
}

/** Calendar fields of Unix second `sec` (an int64, as number when safe). */
export function civilFromUnix(sec: bigint | number, out: CivilTime): CivilTime {
  if (typeof sec === 'number') return civilFromSafe(sec, out);
  return civilFromBig(sec, out);
}

function civilFromSafe(sec: number, out: CivilTime): CivilTime {
  const days = Math.floor(sec / 86400);
  const sod = sec - days * 86400;
  out.hour = Math.floor(sod / 3600);
  out.minute = Math.floor((sod % 3600) / 60);
  out.weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  // Days to civil date (H. Hinnant's algorithm), exact in doubles for |days| < 2^53 / 400.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.year = y;
  out.month = m;
  out.day = d;
  out.yearDay = DAYS_BEFORE[m - 1]! + d + (m > 2 && isLeap(y) ? 1 : 0);
  return out;
}

const U64 = 1n << 64n;
const I64 = 1n << 63n;
/** unixToInternal + internalToAbsolute of Go's time package (absolute epoch: year -292277022399). */
const UNIX_TO_ABSOLUTE = 62135596800n + 9223371966579724800n;
const ABSOLUTE_ZERO_YEAR = -292277022399n;
const DAYS_PER_400 = 146097n;
const DAYS_PER_100 = 36524n;
const DAYS_PER_4 = 1461n;

function wrapI64(x: bigint): bigint {
  x = ((x % U64) + U64) % U64;
  return x >= I64 ? x - U64 : x;
}

function civilFromBig(sec: bigint, out: CivilTime): CivilTime {
  const abs = (((sec + UNIX_TO_ABSOLUTE) % U64) + U64) % U64;
  out.hour = Number((abs % 86400n) / 3600n);
  out.minute = Number((abs % 3600n) / 60n);
  // The absolute epoch's January 1 was a Monday.
  out.weekday = Number(((abs + 86400n) % 604800n) / 86400n);
  let d = abs / 86400n;
  let n = d / DAYS_PER_400;
  let y = 400n * n;
  d -= DAYS_PER_400 * n;
  n = d / DAYS_PER_100;
  n -= n >> 2n;
  y += 100n * n;
  d -= DAYS_PER_100 * n;
  n = d / DAYS_PER_4;
  y += 4n * n;
  d -= DAYS_PER_4 * n;
  n = d / 365n;
  n -= n >> 2n;
  y += n;
  d -= 365n * n;
  const year = Number(wrapI64(wrapI64(y) + ABSOLUTE_ZERO_YEAR));
  const yday = Number(d);
  out.year = year;
  out.yearDay = yday + 1;
  let day = yday;
  if (isLeap(year)) {
    if (day > 31 + 29 - 1) day--;
    else if (day === 31 + 29 - 1) {
      out.month = 2;
      out.day = 29;
      return out;
    }
  }
  let month = Math.floor(day / 31);
  const end = DAYS_BEFORE[month + 1]!;
  let begin: number;
  if (day >= end) {
    month++;
    begin = end;
  } else begin = DAYS_BEFORE[month]!;
  out.month = month + 1;
  out.day = day - begin + 1;
  return out;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Go's `time.Unix(sec, 0).UTC().String()` (years 0–9999): `2020-09-13 12:26:40 +0000 UTC`. */
export function goTimeString(sec: number): string {
  const d = new Date(sec * 1000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000 UTC`;
}

/** Go's `t.UTC().Format(time.RFC3339)` of a time in ms, at second precision (years 0–9999). */
export function goRFC3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
