/**
 * @module core/receive/write-request — Prometheus remote write 1.0 `WriteRequest` (prompb
 * remote.proto / types.proto), decoded by hand into columns: one `WriteSeries` per TimeSeries and
 * every sample in two shared arrays (timestamps, value bits), so a request of 100k samples makes
 * 100k-free typed arrays instead of 100k objects. Each series also keeps the byte range of its
 * TimeSeries field, so a request can be split across receive shards by copying bytes, never by
 * re-encoding.
 *
 * Field numbers: WriteRequest.timeseries = 1 (metadata = 3 is skipped); TimeSeries.labels = 1,
 * samples = 2, exemplars = 3 (skipped), histograms = 4 (not supported: a 400 naming the series);
 * Label.name = 1, value = 2; Sample.value = 1 (double), timestamp = 2 (int64).
 */
import { BadDataError } from '../errors.ts';
import { labelsToString, METRIC_NAME, type Label, type Labels } from '../labels/labels.ts';
import { fnvBytes } from './hashring.ts';
import { bytesKey, KEY_SEED, type KeyBytes } from './series-keys.ts';
import { putUvarint, uvarintSize } from '../varint.ts';
import type { ByteStrings } from './byte-strings.ts';

/**
 * A TimeSeries of a request. Its key (KeyBytes) is the bytes of its label fields as sent: the
 * identity of a series seen before, found without decoding a string (core/receive/series-keys.ts).
 * Labels are decoded (and validated) only for a new key.
 */
export interface WriteSeries extends KeyBytes {
  /** Index of its first sample in the batch's columns, and how many. */
  readonly first: number;
  readonly count: number;
  /** Byte range of the whole TimeSeries field (tag and length included) in the body. */
  readonly start: number;
  readonly end: number;
}

export interface WriteBatch {
  /** The decoded (uncompressed) request the series' byte ranges point into. */
  readonly body: Uint8Array;
  readonly series: readonly WriteSeries[];
  /** Sample timestamps (ms) in series order. */
  readonly t: Float64Array;
  /** Sample value bits, two words a sample (high, low), so every NaN payload (staleness) survives. */
  readonly v: Uint32Array;
  readonly numSamples: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  uvarint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new BadDataError('remote write: truncated varint');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
    throw new BadDataError('remote write: varint longer than 10 bytes');
  }

  /** An int64 varint: negative values are 10-byte two's complement. */
  int64(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new BadDataError('remote write: truncated varint');
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      const shift = 7 * i;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return (hi | 0) * 2 ** 32 + (lo >>> 0);
    }
    throw new BadDataError('remote write: varint longer than 10 bytes');
  }

  lengthDelimited(): number {
    const len = this.uvarint();
    if (len > this.end - this.pos) throw new BadDataError('remote write: truncated field');
    return len;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.uvarint();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN: {
        // Not `this.pos += …`: that would add to the position before the length was read.
        const len = this.lengthDelimited();
        this.pos += len;
        return;
      }
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new BadDataError(`remote write: unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new BadDataError('remote write: truncated field');
  }
}

/** Grows the sample columns by doubling; the batch hands out views of the used part. */
class SampleColumns {
  t = new Float64Array(1024);
  v = new Uint32Array(2048);
  n = 0;

  push(t: number, hi: number, lo: number): void {
    if (this.n === this.t.length) {
      const t2 = new Float64Array(this.t.length * 2);
      t2.set(this.t);
      this.t = t2;
      const v2 = new Uint32Array(this.v.length * 2);
      v2.set(this.v);
      this.v = v2;
    }
    this.t[this.n] = t;
    this.v[2 * this.n] = hi;
    this.v[2 * this.n + 1] = lo;
    this.n++;
  }
}

/** Decodes an uncompressed WriteRequest; throws BadDataError naming what is wrong and where. */
export function decodeWriteRequest(body: Uint8Array): WriteBatch {
  const r = new Reader(body, 0, body.length);
  const cols = new SampleColumns();
  const series: WriteSeries[] = [];
  while (r.pos < r.end) {
    const fieldStart = r.pos;
    const tag = r.uvarint();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const len = r.lengthDelimited();
      const end = r.pos + len;
      series.push(decodeTimeSeries(body, r.pos, end, fieldStart, cols));
      r.pos = end;
    } else {
      r.skip(tag & 7);
    }
  }
  return {
    body,
    series,
    t: cols.t.subarray(0, cols.n),
    v: cols.v.subarray(0, 2 * cols.n),
    numSamples: cols.n,
  };
}

/** A TimeSeries field of a request as the splitter sees it: its byte range and its key's hash. */
export interface SeriesSpan {
  /** Byte range of the whole TimeSeries field (tag and length included). */
  readonly start: number;
  readonly end: number;
  /** fnvBytes folded over the bytes of its label fields, in order, from `seed`. */
  readonly hash: number;
}

/**
 * The series of a request without their samples: byte ranges and a hash of each one's label
 * bytes (a WriteSeries' key bytes), for spreading a request over shards. Labels and
 * sample values are not decoded (the shards do that); the protobuf framing is checked down to the
 * samples, and histograms are refused, so a malformed request is refused whole.
 */
export function scanSeriesSpans(body: Uint8Array, seed: number): SeriesSpan[] {
  const r = new Reader(body, 0, body.length);
  const out: SeriesSpan[] = [];
  while (r.pos < r.end) {
    const fieldStart = r.pos;
    const tag = r.uvarint();
    if (tag >>> 3 !== 1 || (tag & 7) !== WIRE_LEN) {
      r.skip(tag & 7);
      continue;
    }
    const len = r.lengthDelimited();
    const end = r.pos + len;
    const ts = new Reader(body, r.pos, end);
    let h = seed;
    while (ts.pos < ts.end) {
      const at = ts.pos;
      const inner = ts.uvarint();
      const field = inner >>> 3;
      if (field === 1 && (inner & 7) === WIRE_LEN) {
        const labelLen = ts.lengthDelimited();
        ts.pos += labelLen;
        h = fnvBytes(h, body, at, ts.pos);
      } else if (field === 2 && (inner & 7) === WIRE_LEN) {
        // The sample's framing is checked here, so a malformed request reaches no shard.
        const sampleEnd = ts.lengthDelimited() + ts.pos;
        ts.end = sampleEnd;
        while (ts.pos < ts.end) ts.skip(ts.uvarint() & 7);
        ts.end = end;
      } else if (field === 4) {
        throw histogramsRefused(body, { start: fieldStart, end });
      } else {
        ts.skip(inner & 7);
      }
    }
    out.push({ start: fieldStart, end, hash: h });
    r.pos = end;
  }
  return out;
}

function decodeTimeSeries(
  body: Uint8Array,
  start: number,
  end: number,
  fieldStart: number,
  cols: SampleColumns,
): WriteSeries {
  const r = new Reader(body, start, end);
  const first = cols.n;
  let histograms = false;
  let keyHash = KEY_SEED;
  // Label fields are one run of bytes in practice; other layouts join their runs in a string.
  let runStart = -1;
  let runEnd = -1;
  let joined: string | undefined;
  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.uvarint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) {
      const len = r.lengthDelimited();
      r.pos += len;
      keyHash = fnvBytes(keyHash, body, at, r.pos);
      if (at !== runEnd) {
        if (runStart >= 0) joined = (joined ?? '') + bytesKey(body, runStart, runEnd);
        runStart = at;
      }
      runEnd = r.pos;
    } else if (field === 2 && wire === WIRE_LEN) {
      const len = r.lengthDelimited();
      const sampleEnd = r.pos + len;
      decodeSample(r, sampleEnd, cols);
      r.pos = sampleEnd;
      r.end = end;
    } else {
      if (field === 4) histograms = true;
      r.skip(wire);
    }
  }
  if (joined !== undefined) joined += bytesKey(body, runStart, runEnd);
  const series: WriteSeries = {
    keyHash,
    keyStart: runStart < 0 ? 0 : runStart,
    keyEnd: runStart < 0 ? 0 : runEnd,
    keyJoined: joined,
    first,
    count: cols.n - first,
    start: fieldStart,
    end,
  };
  if (histograms) throw histogramsRefused(body, series);
  return series;
}

/** Where a TimeSeries field is in a body. */
export type SeriesBytes = Pick<WriteSeries, 'start' | 'end'>;

function histogramsRefused(body: Uint8Array, s: SeriesBytes): BadDataError {
  const labels = labelsToString(labelsOfSeries(body, s));
  return new BadDataError(`native histograms are not supported: series ${labels}`);
}

/** A series' labels, decoded and checked (Thanos receive's rules); BadDataError names it. */
export function labelsOfSeries(body: Uint8Array, s: SeriesBytes): Label[] {
  return decodeSeriesLabels(body, s).labels;
}

/**
 * Labels of a series, and whether its label bytes are the canonical encoding (each label exactly
 * name then value, nothing else): then its key bytes are its canonical key and none need be built.
 * With `strings`, names and values are the ones it holds (found by their bytes, none made anew).
 */
export function decodeSeriesLabels(
  body: Uint8Array,
  s: SeriesBytes,
  strings?: ByteStrings,
): { labels: Label[]; canonical: boolean } {
  const r = new Reader(body, s.start, s.end);
  r.uvarint();
  r.lengthDelimited();
  const labels: Label[] = [];
  let canonical = true;
  while (r.pos < r.end) {
    const tag = r.uvarint();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const lenAt = r.pos;
      const len = r.lengthDelimited();
      if (r.pos - lenAt !== uvarintSize(len)) canonical = false;
      if (!decodeLabel(body, r.pos, r.pos + len, labels, strings)) canonical = false;
      r.pos += len;
    } else {
      r.skip(tag & 7);
    }
  }
  validateLabels(labels);
  return { labels, canonical };
}

const utf8Encoder = new TextEncoder();

/**
 * The label fields Prometheus would send for these labels (sorted, name then value), as a key:
 * what a series' key bytes are for any sender that encodes labels canonically, so one lookup finds them.
 */
export function canonicalKey(labels: Labels): string {
  let key = '';
  const scratch = new Uint8Array(10);
  const varint = (n: number): string => bytesKey(scratch, 0, putUvarint(scratch, 0, n));
  for (const l of labels) {
    const name = utf8Encoder.encode(l.name);
    const value = utf8Encoder.encode(l.value);
    const inner =
      1 + uvarintSize(name.length) + name.length + 1 + uvarintSize(value.length) + value.length;
    key += '\u000a' + varint(inner);
    key += '\u000a' + varint(name.length) + bytesKey(name, 0, name.length);
    key += '\u0012' + varint(value.length) + bytesKey(value, 0, value.length);
  }
  return key;
}

/**
 * Appends the label in `body[start, end)` to `labels`; true if its bytes were exactly
 * `0x0a len name 0x12 len value` (minimal varints).
 */
function decodeLabel(
  body: Uint8Array,
  start: number,
  end: number,
  labels: Label[],
  strings: ByteStrings | undefined,
): boolean {
  const r = new Reader(body, start, end);
  let name = '';
  let value = '';
  let expect = 1;
  let canonical = true;
  while (r.pos < r.end) {
    const tag = r.uvarint();
    const field = tag >>> 3;
    if ((field === 1 || field === 2) && (tag & 7) === WIRE_LEN) {
      if (field !== expect++) canonical = false;
      const lenAt = r.pos;
      const len = r.lengthDelimited();
      if (r.pos - lenAt !== uvarintSize(len)) canonical = false;
      const decode = field === 1 ? decodeName : decodeValue;
      const str = strings
        ? strings.fromBytes(body, r.pos, r.pos + len, decode)
        : decode(body, r.pos, r.pos + len);
      if (field === 1) name = str;
      else value = str;
      r.pos += len;
    } else {
      canonical = false;
      r.skip(tag & 7);
    }
  }
  labels.push({ name, value });
  return canonical && expect === 3;
}

const decodeName = (body: Uint8Array, start: number, end: number): string =>
  decodeString(body, start, end, 'name');
const decodeValue = (body: Uint8Array, start: number, end: number): string =>
  decodeString(body, start, end, 'value');

/** UTF-8 to a string: ASCII (nearly every label) without TextDecoder, anything else through it. */
function decodeString(body: Uint8Array, start: number, end: number, what: string): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (body[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && end - start <= 4096) {
    return String.fromCharCode.apply(null, body.subarray(start, end) as unknown as number[]);
  }
  try {
    return utf8.decode(body.subarray(start, end));
  } catch {
    throw new BadDataError(`remote write: label ${what} is not valid UTF-8`);
  }
}

const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;

/** Reads one Sample message ending at `end` with the series' reader (no reader a sample). */
function decodeSample(r: Reader, end: number, cols: SampleColumns): void {
  const body = r.buf;
  r.end = end;
  let t = 0;
  let hi = 0;
  let lo = 0;
  while (r.pos < end) {
    const tag = r.uvarint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_FIXED64) {
      if (r.pos + 8 > end) throw new BadDataError('remote write: truncated sample value');
      const p = r.pos;
      // Little-endian on the wire: low word first.
      lo = (body[p]! | (body[p + 1]! << 8) | (body[p + 2]! << 16) | (body[p + 3]! << 24)) >>> 0;
      hi = (body[p + 4]! | (body[p + 5]! << 8) | (body[p + 6]! << 16) | (body[p + 7]! << 24)) >>> 0;
      r.pos += 8;
    } else if (field === 2 && wire === WIRE_VARINT) {
      t = r.int64();
    } else {
      r.skip(wire);
    }
  }
  if (!Number.isSafeInteger(t)) throw new BadDataError(`remote write: timestamp ${t} out of range`);
  cols.push(t, hi, lo);
}

/** The value a sample's bits stand for (NaN payloads are lost here; keep the bits to store). */
export function sampleValue(batch: WriteBatch, i: number): number {
  words[HI] = batch.v[2 * i]!;
  words[1 - HI] = batch.v[2 * i + 1]!;
  return f64[0]!;
}

/**
 * Thanos receive's label rules: a non-empty set, names valid and strictly ascending (sorted, no
 * duplicates), no empty values; the metric name, when present, a valid metric name.
 */
export function validateLabels(labels: Labels): void {
  if (labels.length === 0) throw new BadDataError('series with no labels');
  for (let i = 0; i < labels.length; i++) {
    const { name, value } = labels[i]!;
    if (!LABEL_NAME.test(name)) throw invalid(`invalid label name "${name}"`, labels);
    if (value === '') throw invalid(`empty value for label "${name}"`, labels);
    if (name === METRIC_NAME && !METRIC_NAME_RE.test(value)) {
      throw invalid(`invalid metric name "${value}"`, labels);
    }
    if (i > 0) {
      const prev = labels[i - 1]!.name;
      if (prev === name) throw invalid(`duplicate label name "${name}"`, labels);
      if (prev > name) throw invalid('labels not sorted by name', labels);
    }
  }
}

function invalid(what: string, labels: Labels): BadDataError {
  return new BadDataError(`${what} in series ${labelsToString(labels)}`);
}
