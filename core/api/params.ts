/**
 * @module core/api/params — request parameters as Prometheus's web/api/v1 reads them:
 * form values from the query string and (for POST) a urlencoded body; times as unix seconds or
 * RFC 3339; durations as seconds or Prometheus durations. Errors are Prometheus's texts.
 */
import { BadDataError, errorMessage } from '../errors.ts';
import { readLimitedBody } from '../limited-body.ts';
import { MAX_TIME, MIN_TIME } from '../gocompat/time.ts';
import { parsePromDuration } from '../gocompat/duration.ts';

const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

export class Params {
  readonly #values: URLSearchParams;

  private constructor(values: URLSearchParams) {
    this.#values = values;
  }

  /**
   * Merges URL query and, for POST with a form body, the body (body values first, like Go's
   * FormValue). A body over Go's 10 MiB form limit is refused before it is buffered.
   */
  static async from(req: Request): Promise<Params> {
    const url = new URL(req.url);
    const merged = new URLSearchParams();
    if (req.method === 'POST') {
      const type = req.headers.get('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(await formText(req))) merged.append(k, v);
      } else if (type.startsWith('multipart/form-data')) {
        // A request stream's bytes live in plain ArrayBuffers, never shared memory.
        const body = (await formBytes(req)) as Uint8Array<ArrayBuffer>;
        let form: FormData;
        try {
          form = await new Response(body, { headers: { 'content-type': type } }).formData();
        } catch (err) {
          // A missing boundary or a cut body is the client's error, as in Go's ParseMultipartForm.
          throw new BadDataError(`error parsing form values: ${errorMessage(err)}`, { cause: err });
        }
        for (const [k, v] of form) if (typeof v === 'string') merged.append(k, v);
      }
    }
    for (const [k, v] of url.searchParams) merged.append(k, v);
    return new Params(merged);
  }

  get(name: string): string | undefined {
    const v = this.#values.get(name);
    return v === null ? undefined : v;
  }

  getAll(name: string): string[] {
    return this.#values.getAll(name);
  }

  /** Every value, in order (repeated names such as `match[]` included). */
  entries(): [string, string][] {
    return [...this.#values];
  }

  has(name: string): boolean {
    return this.#values.has(name) && this.#values.get(name) !== '';
  }

  /** A time parameter in ms, or `fallback` when absent or empty. */
  time(name: string, fallback: number): number {
    const v = this.get(name);
    if (v === undefined || v === '') return fallback;
    try {
      return parseTime(v);
    } catch (err) {
      throw invalidParam(name, err);
    }
  }

  duration(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined || v === '') return undefined;
    try {
      return parseDurationParam(v);
    } catch (err) {
      throw invalidParam(name, err);
    }
  }
}

/** Go's net/http ParseForm limit on a urlencoded body (maxFormSize). */
export const MAX_FORM_BYTES = 10 << 20;

const postTooLarge = (): BadDataError =>
  new BadDataError('error parsing form values: http: POST too large');

/** The body as text, read only up to MAX_FORM_BYTES. */
async function formText(req: Request): Promise<string> {
  return new TextDecoder().decode(await formBytes(req));
}

/** The body, read only up to MAX_FORM_BYTES (a declared or streamed larger body is refused). */
function formBytes(req: Request): Promise<Uint8Array> {
  return readLimitedBody(req, MAX_FORM_BYTES, postTooLarge);
}

export function invalidParam(name: string, err: unknown): BadDataError {
  const msg = err instanceof Error ? err.message : String(err);
  return new BadDataError(`invalid parameter ${JSON.stringify(name)}: ${msg}`, { cause: err });
}

/** Unix seconds (float, rounded to ms) or RFC 3339 → ms. */
export function parseTime(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) || /^[+-]?(Inf|inf|NaN)$/.test(s)) {
    const f = Number(s);
    if (Number.isFinite(f)) {
      const secs = Math.trunc(f);
      const frac = Math.round((f - secs) * 1000) / 1000;
      return secs * 1000 + Math.round(frac * 1000);
    }
  }
  const ms = parseRfc3339(s);
  if (ms !== undefined) return ms;
  if (s === MIN_TIME_FORMATTED) return MIN_TIME;
  if (s === MAX_TIME_FORMATTED) return MAX_TIME;
  throw new Error(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  // Go's time.Parse refuses fields out of range (a zone offset may reach 24:00 or xx:60 there);
  // Date.UTC would roll 2023-13-45 into 2024.
  const month = Number(mo);
  if (month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysIn(Number(y), month))
    return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  if (zone && zone.length === 6 && (Number(zone.slice(1, 3)) > 24 || Number(zone.slice(4)) > 60))
    return undefined;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number.isNaN(ms)) return undefined;
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000 + 1e-6);
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(':').map(Number);
    ms -= sign * ((zh! * 60 + zm!) * 60_000);
  }
  return ms;
}

function daysIn(year: number, month: number): number {
  // Day 0 of the next month is this month's last day (Date.UTC's months are 0-based).
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Float seconds or a Prometheus duration → ms. */
export function parseDurationParam(s: string): number {
  const f = Number(s);
  if (s.trim() !== '' && !Number.isNaN(f) && /^[\d.eE+-]+$/.test(s)) {
    const ms = f * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 9.223372036854776e15) {
      throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration. It overflows int64`);
    }
    return Math.trunc(ms);
  }
  try {
    return parsePromDuration(s);
  } catch {
    throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration`);
  }
}
