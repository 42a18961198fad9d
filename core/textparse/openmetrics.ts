/**
 * @module core/textparse/openmetrics — a streaming parser of the OpenMetrics text format, the
 * subset Prometheus 2.42's `textparse.OpenMetricsParser` accepts (the parser behind
 * `promtool tsdb create-blocks-from openmetrics`): `# HELP|TYPE|UNIT` lines, samples
 * `name{labels} value [timestamp] [# {exemplar labels} value [timestamp]]`, timestamps in float
 * seconds truncated to ms as Go's `int64(ts * 1000)`, and a mandatory `# EOF` with nothing after.
 * Exemplars are checked and skipped. Every OpenMetrics token lies within one line, so the parser
 * cuts the input at newlines and lexes one line at a time with the grammar of openmetricslex.l.
 *
 * Usage: `push(bytes)` as data arrives, `close()` at the end, and call `next()` until it returns
 * `'more'` (push more) or `'eof'`. Accessors describe the current entry; nothing is allocated
 * per sample unless `seriesKey()` or `labels()` is called.
 */
import { BadDataError } from '../errors.ts';
import { METRIC_NAME, compareStrings, type Label } from '../labels/labels.ts';
import { NumError } from '../gocompat/strconv.ts';
import { parseSimpleFloat, parseTextFloat } from './parse-float.ts';

export type OpenMetricsEntry = 'series' | 'help' | 'type' | 'unit' | 'eof' | 'more';

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown';

const METRIC_TYPES: ReadonlySet<string> = new Set<MetricType>([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
]);

const NL = 0x0a;
const SP = 0x20;
const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;
const EQUAL = 0x3d;

/** `[a-zA-Z_]` (the lexer's L class: label names). */
function isL(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}
/** `[a-zA-Z_:]` (M class: first character of metric names). */
function isM(c: number): boolean {
  return isL(c) || c === 0x3a;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

const utf8 = new TextDecoder('utf-8');

/** Streaming OpenMetrics parser; see the module comment for the calling protocol. */
export class OpenMetricsParser {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #end = 0;
  #closed = false;
  #eofSeen = false;
  #lineNo = 0;
  // Current line: [#ls, #le) without the newline.
  #ls = 0;
  #le = 0;
  #hasNewline = false;
  // Series entry: metric name ends at #nameEnd; the series text (name + labels) ends at #seriesEnd.
  #nameEnd = 0;
  #seriesEnd = 0;
  // Label spans: [nameStart, nameEnd, valueStart, valueEnd] per label.
  #lab = new Int32Array(64);
  #nlab = 0;
  #escaped = false;
  #value = 0;
  #ts = 0;
  #hasTs = false;
  #metaName = '';
  #metaText = '';
  #type: MetricType = 'unknown';

  /** Appends input bytes. The parser keeps a reference: do not modify `chunk` afterwards. */
  push(chunk: Uint8Array): void {
    if (this.#closed) throw new Error('openmetrics: push after close');
    if (chunk.length === 0) return;
    if (this.#pos === this.#end) {
      this.#buf = chunk;
      this.#pos = 0;
      this.#end = chunk.length;
      return;
    }
    // Only the unfinished tail of the previous input (at most one line) is copied.
    const rest = this.#end - this.#pos;
    const b = new Uint8Array(rest + chunk.length);
    b.set(this.#buf.subarray(this.#pos, this.#end));
    b.set(chunk, rest);
    this.#buf = b;
    this.#pos = 0;
    this.#end = b.length;
  }

  /** Marks the end of the input. */
  close(): void {
    this.#closed = true;
  }

  /** 1-based line number of the current entry. */
  get lineNumber(): number {
    return this.#lineNo;
  }

  /** Sample value (a parsed "NaN" is Prometheus's NormalNaN bit pattern). */
  get value(): number {
    return this.#value;
  }

  /** Sample timestamp in ms (valid when `hasTimestamp`). */
  get timestamp(): number {
    return this.#ts;
  }

  get hasTimestamp(): boolean {
    return this.#hasTs;
  }

  /** Metric name of the current HELP/TYPE/UNIT entry. */
  get metaName(): string {
    return this.#metaName;
  }

  /** Text of the current HELP (escapes kept) or UNIT entry. */
  get metaText(): string {
    return this.#metaText;
  }

  /** Type of the current TYPE entry. */
  get metricType(): MetricType {
    return this.#type;
  }

  /** The series exactly as written (`name{labels}`): a cheap identity for caching labels. */
  seriesKey(): string {
    return utf8.decode(this.#buf.subarray(this.#ls, this.#seriesEnd));
  }

  /** FNV-1a hash of the series text: with `seriesEquals`, a lookup key that allocates nothing. */
  seriesHash(): number {
    const b = this.#buf;
    let h = 0x811c9dc5;
    for (let i = this.#ls, e = this.#seriesEnd; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return h >>> 0;
  }

  /** A copy of the series text bytes (to compare later lines against). */
  seriesBytes(): Uint8Array {
    return this.#buf.slice(this.#ls, this.#seriesEnd);
  }

  /** Whether the current series text equals `bytes` (from `seriesBytes`). */
  seriesEquals(bytes: Uint8Array): boolean {
    const b = this.#buf;
    const s = this.#ls;
    if (this.#seriesEnd - s !== bytes.length) return false;
    for (let i = 0; i < bytes.length; i++) if (b[s + i] !== bytes[i]) return false;
    return true;
  }

  metricName(): string {
    return latin1(this.#buf, this.#ls, this.#nameEnd);
  }

  /**
   * The series' labels, `__name__` first then sorted by name, values unescaped. Empty values
   * and duplicate names are kept: deciding about them is the appender's job, as in Prometheus.
   */
  labels(): Label[] {
    const b = this.#buf;
    const out: Label[] = [{ name: METRIC_NAME, value: this.metricName() }];
    const lab = this.#lab;
    for (let i = 0; i < this.#nlab; i++) {
      const name = latin1(b, lab[4 * i]!, lab[4 * i + 1]!);
      let value = utf8.decode(b.subarray(lab[4 * i + 2]!, lab[4 * i + 3]!));
      if (this.#escaped && value.includes('\\')) value = unescapeLabelValue(value);
      out.push({ name, value });
    }
    out.sort((x, y) => compareStrings(x.name, y.name));
    return out;
  }

  /** Advances to the next entry. Throws BadDataError (with the line number) on invalid input. */
  next(): OpenMetricsEntry {
    if (this.#eofSeen) {
      if (this.#pos < this.#end) {
        this.#lineNo++;
        throw this.#error('unexpected data after # EOF');
      }
      return this.#closed ? 'eof' : 'more';
    }
    const b = this.#buf;
    let nl = b.indexOf(NL, this.#pos);
    if (nl < 0 || nl >= this.#end) {
      if (!this.#closed) return 'more';
      nl = -1;
    }
    this.#lineNo++;
    this.#ls = this.#pos;
    if (nl >= 0) {
      this.#le = nl;
      this.#hasNewline = true;
      this.#pos = nl + 1;
    } else {
      this.#le = this.#end;
      this.#hasNewline = false;
      this.#pos = this.#end;
      if (this.#le === this.#ls) throw this.#error('data does not end with # EOF');
    }
    const c = b[this.#ls]!;
    if (c === HASH) return this.#comment();
    if (isM(c)) return this.#sample();
    throw this.#error(`${describe(b, this.#ls, this.#le)} is not a valid start token`);
  }

  #error(msg: string): BadDataError {
    return new BadDataError(`line ${this.#lineNo}: ${msg}`);
  }

  #comment(): OpenMetricsEntry {
    const b = this.#buf;
    const s = this.#ls;
    const e = this.#le;
    if (s + 1 >= e || b[s + 1] !== SP) throw this.#error('"#" must be followed by a space');
    const kw = latin1(b, s + 2, Math.min(s + 7, e));
    if (kw.startsWith('EOF') && e - s === 5) {
      this.#eofSeen = true;
      return this.next();
    }
    let entry: 'help' | 'type' | 'unit';
    if (kw === 'HELP ') entry = 'help';
    else if (kw === 'TYPE ') entry = 'type';
    else if (kw === 'UNIT ') entry = 'unit';
    else if (kw.startsWith('EOF')) throw this.#error('unexpected data after # EOF');
    else throw this.#error('comments other than # HELP, # TYPE, # UNIT and # EOF are not allowed');
    const word = entry.toUpperCase();
    let p = s + 7;
    if (p >= e || !isM(b[p]!)) throw this.#error(`expected metric name after ${word}`);
    const ns = p;
    while (p < e && (isM(b[p]!) || isDigit(b[p]!))) p++;
    this.#metaName = latin1(b, ns, p);
    // The text token is `{S}{C}*\n`: a space, anything, and the newline itself.
    if (!this.#hasNewline || p >= e || b[p] !== SP) throw this.#error(`expected text in ${word}`);
    const ts = p + 1;
    if (entry === 'help' && !validUtf8(b, ts, e))
      throw this.#error('help text is not a valid utf8 string');
    this.#metaText = utf8.decode(b.subarray(ts, e));
    if (entry === 'type') {
      if (!METRIC_TYPES.has(this.#metaText))
        throw this.#error(`invalid metric type ${JSON.stringify(this.#metaText)}`);
      this.#type = this.#metaText as MetricType;
    } else if (entry === 'unit') {
      const m = this.#metaName;
      const u = this.#metaText;
      if (
        u.length > 0 &&
        !(m.endsWith(u) && m.length >= u.length + 1 && m[m.length - u.length - 1] === '_')
      ) {
        throw this.#error(`unit not a suffix of metric ${JSON.stringify(m)}`);
      }
    }
    return entry;
  }

  #sample(): OpenMetricsEntry {
    const b = this.#buf;
    const e = this.#le;
    let p = this.#ls + 1;
    while (p < e && (isM(b[p]!) || isDigit(b[p]!))) p++;
    this.#nameEnd = p;
    this.#nlab = 0;
    this.#escaped = false;
    if (p < e && b[p] === LBRACE) p = this.#labels(p + 1, false);
    this.#seriesEnd = p;
    // Value: a space and a run of non-space bytes.
    const ve = this.#token(p);
    if (ve < 0) throw this.#error('expected value after metric');
    this.#value = this.#float(p + 1, ve);
    p = ve;
    this.#hasTs = false;
    if (p === e) {
      if (!this.#hasNewline) throw this.#error('data does not end with # EOF');
      return 'series';
    }
    if (this.#isExemplarStart(p)) {
      this.#exemplar(p + 4);
      return 'series';
    }
    const te = this.#token(p);
    if (te < 0) throw this.#error('expected timestamp or # symbol');
    const ts = this.#float(p + 1, te);
    if (Number.isNaN(ts) || !Number.isFinite(ts)) throw this.#error('invalid timestamp');
    const ms = Math.trunc(ts * 1000);
    if (!Number.isSafeInteger(ms))
      throw this.#error(`timestamp ${latin1(b, p + 1, te)} out of range`);
    this.#ts = ms === 0 ? 0 : ms; // no -0
    this.#hasTs = true;
    p = te;
    if (p === e) {
      if (!this.#hasNewline) throw this.#error('expected next entry after timestamp, got "EOF"');
      return 'series';
    }
    if (this.#isExemplarStart(p)) {
      this.#exemplar(p + 4);
      return 'series';
    }
    throw this.#error('expected next entry after timestamp');
  }

  /** End of a `{S}[^ \n]+` token starting at p, or -1. */
  #token(p: number): number {
    const b = this.#buf;
    const e = this.#le;
    if (p >= e || b[p] !== SP || p + 1 >= e || b[p + 1] === SP) return -1;
    p += 2;
    while (p < e && b[p] !== SP) p++;
    return p;
  }

  #isExemplarStart(p: number): boolean {
    const b = this.#buf;
    return (
      p + 3 < this.#le && b[p] === SP && b[p + 1] === HASH && b[p + 2] === SP && b[p + 3] === LBRACE
    );
  }

  #float(s: number, e: number): number {
    const fast = parseSimpleFloat(this.#buf, s, e);
    if (fast !== undefined) return fast;
    try {
      return parseTextFloat(latin1(this.#buf, s, e));
    } catch (err) {
      if (err instanceof NumError) throw this.#error(err.message);
      throw err;
    }
  }

  /** Parses `name="value",…}` from p (just after `{`); returns the position after `}`. */
  #labels(p: number, exemplar: boolean): number {
    const b = this.#buf;
    const e = this.#le;
    let first = true;
    for (;;) {
      const c = p < e ? b[p]! : -1;
      if (c === RBRACE) return p + 1;
      if (c === COMMA) {
        if (first) throw this.#error('expected label name or left brace');
        p++;
        if (p >= e || !isL(b[p]!)) throw this.#error('expected label name');
      } else if (c >= 0 && isL(c)) {
        if (!first) throw this.#error('expected comma');
      } else {
        throw this.#error(
          first ? 'expected label name or left brace' : 'expected comma or left brace',
        );
      }
      first = false;
      const ns = p;
      while (p < e && (isL(b[p]!) || isDigit(b[p]!))) p++;
      const ne = p;
      if (p >= e || b[p] !== EQUAL) throw this.#error('expected equal');
      p++;
      if (p >= e || b[p] !== QUOTE) throw this.#error('expected label value');
      p++;
      const vs = p;
      let ascii = true;
      for (;;) {
        if (p >= e) throw this.#error('expected label value');
        const x = b[p]!;
        if (x === QUOTE) break;
        if (x === BACKSLASH) {
          if (p + 1 >= e) throw this.#error('expected label value');
          if (!exemplar) this.#escaped = true;
          p += 2;
          continue;
        }
        if (x >= 0x80) ascii = false;
        p++;
      }
      const ve = p;
      p++;
      if (!ascii && !validUtf8(b, vs, ve)) throw this.#error('invalid UTF-8 label value');
      if (!exemplar) this.#addLabel(ns, ne, vs, ve);
    }
  }

  #addLabel(ns: number, ne: number, vs: number, ve: number): void {
    if ((this.#nlab + 1) * 4 > this.#lab.length) {
      const l = new Int32Array(this.#lab.length * 2);
      l.set(this.#lab);
      this.#lab = l;
    }
    const i = 4 * this.#nlab++;
    this.#lab[i] = ns;
    this.#lab[i + 1] = ne;
    this.#lab[i + 2] = vs;
    this.#lab[i + 3] = ve;
  }

  /** Checks and skips an exemplar ` # {labels} value [timestamp]` (p is after `{`). */
  #exemplar(p: number): void {
    const e = this.#le;
    const name = this.metricName();
    if (!name.endsWith('_total') && !name.endsWith('_bucket')) {
      throw this.#error(`metric name ${name} does not support exemplars`);
    }
    p = this.#labels(p, true);
    const ve = this.#token(p);
    if (ve < 0) throw this.#error('expected value after exemplar labels');
    this.#float(p + 1, ve);
    p = ve;
    if (p === e) {
      if (!this.#hasNewline) throw this.#error('data does not end with # EOF');
      return;
    }
    const te = this.#token(p);
    if (te < 0) throw this.#error('expected timestamp or comment');
    const ts = this.#float(p + 1, te);
    if (Number.isNaN(ts) || !Number.isFinite(ts)) throw this.#error('invalid exemplar timestamp');
    if (te !== e || !this.#hasNewline)
      throw this.#error('expected next entry after exemplar timestamp');
  }
}

/** Prometheus's label value unescaping (lvalReplacer): `\"`, `\\` and `\n`; other escapes stay. */
export function unescapeLabelValue(s: string): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('\\'); i >= 0 && i < s.length - 1; i = s.indexOf('\\', i)) {
    const n = s[i + 1];
    const rep = n === '"' ? '"' : n === '\\' ? '\\' : n === 'n' ? '\n' : undefined;
    if (rep === undefined) {
      i++;
      continue;
    }
    out += s.slice(last, i) + rep;
    i += 2;
    last = i;
  }
  return out + s.slice(last);
}

function latin1(b: Uint8Array, s: number, e: number): string {
  // Names and numbers are ASCII; short runs are faster through fromCharCode than a decoder.
  if (e - s <= 64) {
    let out = '';
    for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
    return out;
  }
  return utf8.decode(b.subarray(s, e));
}

function describe(b: Uint8Array, s: number, e: number): string {
  return JSON.stringify(utf8.decode(b.subarray(s, Math.min(e, s + 20))));
}

/** UTF-8 validity as Go's utf8.Valid (no surrogates, no overlongs, ≤ U+10FFFF). */
export function validUtf8(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + n >= e) return false;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= n; k++) {
      const ck = b[i + k]!;
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    i += n + 1;
  }
  return true;
}
