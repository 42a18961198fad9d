/**
 * @module core/api/prom-numbers — numbers as Prometheus's HTTP API writes them: sample values as
 * Go's `strconv.FormatFloat(v, 'f', -1, 64)` ("+Inf", "-Inf", "NaN"), timestamps as seconds with
 * exactly the millisecond digits jsonutil writes (`1.5` → `1.500`).
 */
import { goFormatFloat } from '../gocompat/strconv.ts';

/** Go's FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never exponent notation. */
export function formatValue(v: number): string {
  return goFormatFloat(v, 'f', -1);
}

/** Prometheus's jsonutil.MarshalTimestamp: integer seconds, then `.` and 3 digits when ms ≠ 0. */
export function formatTimestamp(ms: number): string {
  if (ms % 1000 === 0) return String(ms / 1000);
  let t = ms;
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const secs = Math.floor(t / 1000);
  const frac = t - secs * 1000;
  if (frac === 0) return `${sign}${secs}`;
  return `${sign}${secs}.${String(Math.round(frac)).padStart(3, '0')}`;
}
