/**
 * @module core/yaml-fields — reading fields of a parsed YAML config the way Go's
 * `yaml.UnmarshalStrict` does for Thanos's configs: unknown fields are errors naming the field,
 * a wrong type is an error naming the field, absent or null fields are the zero value.
 */
import { BadDataError } from './errors.ts';
import { goParseDuration, parsePromDuration } from './gocompat/duration.ts';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws for the first key of `obj` not in `allowed`: `<where>: field <k> not found in <section>`. */
export function strictFields(
  where: string,
  obj: Obj,
  allowed: Iterable<string>,
  section?: string,
): void {
  const ok = new Set(allowed);
  for (const k of Object.keys(obj)) {
    if (!ok.has(k))
      throw new BadDataError(`${where}: field ${k} not found${section ? ` in ${section}` : ''}`);
  }
}

/** A string field ('' when absent); numbers and booleans are taken as their text, as YAML scalars. */
export function stringField(obj: Obj, key: string, where: string): string {
  const v = obj[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new BadDataError(`${where}: ${key} must be a string`);
}

export function boolField(obj: Obj, key: string, where: string): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw new BadDataError(`${where}: ${key} must be true or false`);
}

/** A non-negative integer field (0 when absent). */
export function intField(obj: Obj, key: string, where: string): number {
  const v = obj[key];
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw new BadDataError(`${where}: ${key} must be a non-negative integer`);
  return n;
}

/**
 * A duration field in ms (0 when absent): Go's `1m30s` or Prometheus's `1d`, or a bare number
 * of nanoseconds (how Go marshals a time.Duration as an integer).
 */
export function durationField(obj: Obj, key: string, where: string): number {
  const v = obj[key];
  if (v === undefined || v === null || v === '' || v === 0) return 0;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v / 1e6;
  if (typeof v === 'string') {
    for (const parse of [goParseDuration, parsePromDuration]) {
      try {
        const ms = parse(v);
        if (ms >= 0) return ms;
      } catch {
        // try the other syntax
      }
    }
  }
  throw new BadDataError(`${where}: ${key}: bad duration ${JSON.stringify(v)}`);
}
