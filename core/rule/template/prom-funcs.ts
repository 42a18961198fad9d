/**
 * @module core/rule/template/prom-funcs — Prometheus 2.42's template functions (template.go's
 * FuncMap): query and its helpers (first, label, value, strvalue, sortByLabel), the humanize
 * family, time conversion, string and regexp helpers, links and the external URL.
 */
import { goInt64 } from '../../gocompat/math.ts';
import { goFormatFloat, goParseFloat } from '../../gocompat/strconv.ts';
import { parsePromDuration } from '../../gocompat/duration.ts';
import { compareStrings } from '../../labels/labels.ts';
import type { Labels } from '../../labels/labels.ts';
import { compileSubmatch, expandTemplate } from '../../regexp/submatch.ts';
import type { TemplateFunc } from './exec.ts';
import { goSprint, goSprintf } from './fmt.ts';
import { isIP, joinHostPort, queryEscape, splitHostPort } from './net.ts';
import {
  GoMap,
  GoSlice,
  GoTime,
  SafeHtml,
  TemplateExecError,
  TemplateSample,
  toFloat,
  typeName,
  type TValue,
} from './value.ts';

/** One sample of an instant query, as the template's query() sees it. */
export interface TemplateQuerySample {
  readonly metric: Labels;
  readonly v: number;
}

/** Evaluates `expr` at `t` (ms) for the template's query() function. */
export type TemplateQueryFunc = (
  expr: string,
  t: number,
) => Promise<readonly TemplateQuerySample[]>;

export interface PromFuncsOptions {
  /** Evaluation time in ms (query() runs at it). */
  readonly time: number;
  readonly query?: TemplateQueryFunc;
  readonly externalURL?: string;
}

const SAMPLES = '[]*template.sample';
const f = (v: TValue): number => toFloat(v, goParseFloat);
const g4 = (v: number): string => goSprintf('%.4g', [v]);

function str(v: TValue | undefined): string {
  if (typeof v === 'string') return v;
  throw new TemplateExecError(`wrong type for value; expected string; got ${typeName(v ?? null)}`);
}

function sample(v: TValue | undefined): TemplateSample {
  if (v instanceof TemplateSample) return v;
  if (v === null)
    throw new TemplateExecError('runtime error: invalid memory address or nil pointer dereference');
  throw new TemplateExecError(
    `wrong type for value; expected *template.sample; got ${typeName(v ?? null)}`,
  );
}

function samples(v: TValue | undefined): GoSlice {
  if (v instanceof GoSlice && v.typeName === SAMPLES) return v;
  throw new TemplateExecError(
    `wrong type for value; expected template.queryResult; got ${typeName(v ?? null)}`,
  );
}

function scaled(
  v: number,
  prefixes: readonly string[],
  down: boolean,
  base: number,
): [number, string] {
  let prefix = '';
  for (const p of prefixes) {
    if (down ? Math.abs(v) < base : Math.abs(v) >= 1) break;
    prefix = p;
    v = down ? v / base : v * 1000;
  }
  return [v, prefix];
}

const BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const BIN = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  const [x, p] = Math.abs(v) >= 1 ? scaled(v, BIG, true, 1000) : scaled(v, SMALL, false, 1000);
  return g4(x) + p;
}

function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    // Go's int64(v): past ±2^63 it is -2^63 (amd64), so huge durations print negative parts.
    const d = BigInt(goInt64(Math.abs(v)));
    const seconds = d % 60n;
    const minutes = (d / 60n) % 60n;
    const hours = (d / 3600n) % 24n;
    const days = d / 86400n;
    const a = Math.abs(v);
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(a)}s`;
  }
  const [x, p] = scaled(v, SMALL, false, 1000);
  return `${g4(x)}${p}s`;
}

/** Prometheus's floatToTime: seconds → a time at millisecond precision (model.TimeFromUnixNano). */
function floatToTime(v: number): GoTime {
  const ns = v * 1e9;
  if (ns > 9223372036854775807 || ns < -9223372036854775808)
    throw new TemplateExecError(
      `${goFormatFloat(v, 'g', -1)} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  // int64(v * 1e9) / 1e6 in integers: past 2^53 ns a float division would round the last ms.
  return new GoTime(Number(BigInt(Math.trunc(ns)) / 1_000_000n));
}

/** strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = /[\p{L}\p{Nd}_]/u.test(prev) ? false : /[\x00-\x7f]/.test(prev) || /\s/u.test(prev);
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

/** regexp.ReplaceAllString: successive non-overlapping matches; an empty match abutting the previous match is skipped. */
function reReplaceAll(pattern: string, repl: string, text: string): string {
  const rx = compileSubmatch(pattern);
  const re = new RegExp(rx.re.source, rx.re.flags.replace('g', '') + 'g');
  let out = '';
  let last = 0;
  let prevEnd = -1;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[0] === '') {
      re.lastIndex = end + (text.codePointAt(end)! > 0xffff ? 2 : 1);
      if (start === prevEnd) continue;
    }
    out += text.slice(last, start) + expandTemplate(repl, m, rx.names);
    last = end;
    prevEnd = end;
    if (end > text.length) break;
  }
  return out + text.slice(last);
}

/** Go dereferencing a nil *url.URL inside a template function. */
function nonNil(u: URL | undefined): URL {
  if (u === undefined)
    throw new TemplateExecError('runtime error: invalid memory address or nil pointer dereference');
  return u;
}

export function prometheusFuncs(opts: PromFuncsOptions): Map<string, TemplateFunc> {
  const ext =
    opts.externalURL === undefined || opts.externalURL === ''
      ? undefined
      : new URL(opts.externalURL);
  return new Map<string, TemplateFunc>([
    [
      'query',
      async (a) => {
        if (opts.query === undefined) throw new TemplateExecError('query function not available');
        const res = await opts.query(str(a[0]), opts.time);
        const items = res.map(
          (s) =>
            new TemplateSample(
              GoMap.ofStrings(new Map(s.metric.map((l) => [l.name, l.value]))),
              s.v,
            ),
        );
        return new GoSlice(items, SAMPLES);
      },
    ],
    [
      'first',
      (a) => {
        const v = samples(a[0]);
        if (v.items.length === 0)
          throw new TemplateExecError('first() called on vector with no elements');
        return v.items[0]!;
      },
    ],
    ['label', (a) => sample(a[1]).labels.entries.get(str(a[0])) ?? ''],
    ['value', (a) => sample(a[0]).value],
    ['strvalue', (a) => sample(a[0]).labels.entries.get('__value__') ?? ''],
    [
      'args',
      (a) => new GoMap(new Map(a.map((v, i) => [`arg${i}`, v])), 'map[string]interface {}', null),
    ],
    ['reReplaceAll', (a) => reReplaceAll(str(a[0]), str(a[1]), str(a[2]))],
    ['safeHtml', (a) => new SafeHtml(str(a[0]))],
    ['match', (a) => compileSubmatch(str(a[0])).exec(str(a[1])) !== null],
    ['title', (a) => title(str(a[0]))],
    ['toUpper', (a) => str(a[0]).toUpperCase()],
    ['toLower', (a) => str(a[0]).toLowerCase()],
    ['graphLink', (a) => `/graph?g0.expr=${queryEscape(str(a[0]))}&g0.tab=0`],
    ['tableLink', (a) => `/graph?g0.expr=${queryEscape(str(a[0]))}&g0.tab=1`],
    [
      'sortByLabel',
      (a) => {
        const by = str(a[0]);
        const v = samples(a[1]);
        const key = (s: TValue): string => {
          const l = (s as TemplateSample).labels.entries.get(by);
          return typeof l === 'string' ? l : '';
        };
        const items = v.items.map((s, i) => ({ s, i }));
        items.sort((x, y) => compareStrings(key(x.s), key(y.s)) || x.i - y.i);
        return new GoSlice(
          items.map((x) => x.s),
          SAMPLES,
        );
      },
    ],
    ['stripPort', (a) => splitHostPort(str(a[0]))?.host ?? str(a[0])],
    [
      'stripDomain',
      (a) => {
        const hp = str(a[0]);
        const sp = splitHostPort(hp);
        const host = sp?.host ?? hp;
        if (isIP(host)) return hp;
        const short = host.split('.')[0]!;
        return sp && sp.port !== '' ? joinHostPort(short, sp.port) : short;
      },
    ],
    ['humanize', (a) => humanize(f(a[0] ?? null))],
    [
      'humanize1024',
      (a) => {
        const v = f(a[0] ?? null);
        if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
        const [x, p] = scaled(v, BIN, true, 1024);
        return g4(x) + p;
      },
    ],
    ['humanizeDuration', (a) => humanizeDuration(f(a[0] ?? null))],
    ['humanizePercentage', (a) => goSprintf('%.4g%%', [f(a[0] ?? null) * 100])],
    [
      'humanizeTimestamp',
      (a) => {
        const v = f(a[0] ?? null);
        return Number.isFinite(v) ? goSprint([floatToTime(v)]) : g4(v);
      },
    ],
    [
      'toTime',
      (a) => {
        const v = f(a[0] ?? null);
        if (!Number.isFinite(v)) throw new TemplateExecError('value is NaN or Inf');
        return floatToTime(v);
      },
    ],
    ['pathPrefix', () => nonNil(ext).pathname.replace(/^\/$/, '')],
    ['externalURL', () => (nonNil(ext), opts.externalURL!)],
    ['parseDuration', (a) => parsePromDuration(str(a[0])) / 1000],
  ]);
}
