/**
 * @module core/storeapi/series-codec — the hot StoreAPI message, a SeriesResponse holding one
 * Series (labels and aggregate chunks), written and read by hand: every series a store sends goes
 * through here, and the generic protobufjs path (an object tree per message, Long arithmetic for
 * every int64) cost more than the rest of the frame's handling.
 *
 * The bytes written are the ones protobufjs writes for the same message (fields in number order,
 * proto3 defaults left out: empty strings and bytes, zero times, the XOR type), so both sides may
 * use either. Reading is optimistic: anything but well-formed series fields (a warning or hints frame,
 * groups, truncation) returns undefined and the caller decodes with protobufjs, which gives the
 * same answer or the same error as before.
 */
import type { Labels } from '../labels/labels.ts';
import { putUvarint, uvarintSize } from '../varint.ts';
import type { FrameBuffer } from './framing.ts';
import type { AggrChunk, ChunkData, ChunkEncoding } from './store.ts';

const ENCODINGS: readonly ChunkEncoding[] = ['XOR', 'HISTOGRAM', 'FLOAT_HISTOGRAM'];
/** AggrChunk's chunk fields, by field number 3..8. */
const AGGR_FIELDS = ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const;
type AggrField = (typeof AGGR_FIELDS)[number];

const encoder = new TextEncoder();
/** Fatal, as protobufjs decodes strings: invalid UTF-8 is an error, not U+FFFD. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const TWO_32 = 2 ** 32;

/** Bytes of an int64 varint: negative values take ten (64-bit two's complement). */
const int64Size = (v: number): number => (v < 0 ? 10 : uvarintSize(v));

/** UTF-8 length of `s` (ASCII counted without encoding). */
function utf8Size(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return encoder.encode(s).length;
  }
  return s.length;
}

const fieldSize = (len: number): number => 1 + uvarintSize(len) + len;
/** A string or bytes field's size, 0 when proto3 leaves it out (empty). */
const presentSize = (len: number): number => (len === 0 ? 0 : fieldSize(len));
/** An int64 field's size, 0 when proto3 leaves it out (zero). */
const timeSize = (v: number): number => (v === 0 ? 0 : 1 + int64Size(v));

class Writer {
  readonly buf: Uint8Array;
  at = 0;

  constructor(buf: Uint8Array, at: number) {
    this.buf = buf;
    this.at = at;
  }

  varint(v: number): void {
    this.at = putUvarint(this.buf, this.at, v);
  }

  /** A non-zero int64 field. */
  time(tag: number, v: number): void {
    if (v === 0) return;
    this.buf[this.at++] = tag;
    this.int64(v);
  }

  int64(v: number): void {
    if (v >= 0) return this.varint(v);
    // Two's complement in 64 bits, written 7 bits at a time from two 32-bit halves.
    let lo = (v % TWO_32) >>> 0;
    let hi = Math.floor(v / TWO_32) >>> 0;
    const b = this.buf;
    for (let i = 0; i < 9; i++) {
      b[this.at++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.at++] = lo & 0x01;
  }

  string(tag: number, s: string, size: number): void {
    if (size === 0) return;
    this.buf[this.at++] = tag;
    this.varint(size);
    if (size === s.length) {
      const b = this.buf;
      for (let i = 0; i < size; i++) b[this.at + i] = s.charCodeAt(i);
    } else {
      encoder.encodeInto(s, this.buf.subarray(this.at, this.at + size));
    }
    this.at += size;
  }

  /** A present storepb.Chunk field: its encoding (unless XOR) and data. */
  chunk(tag: number, d: ChunkData | undefined): void {
    if (d === undefined) return;
    this.buf[this.at++] = tag;
    this.varint(chunkSize(d));
    const type = encodingType(d.encoding);
    if (type !== 0) {
      this.buf[this.at++] = 0x08;
      this.varint(type);
    }
    this.bytes(0x12, d.data);
  }

  bytes(tag: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.buf[this.at++] = tag;
    this.varint(data.length);
    this.buf.set(data, this.at);
    this.at += data.length;
  }
}

/** storepb.Chunk.Encoding's number (XOR, the default, first). */
const encodingType = (e: ChunkEncoding): number => (e === 'XOR' ? 0 : ENCODINGS.indexOf(e));

function chunkSize(c: ChunkData): number {
  const type = encodingType(c.encoding);
  return (type === 0 ? 0 : 1 + uvarintSize(type)) + presentSize(c.data.length);
}

/** A present chunk field's size (the fields are named, not looked up by key: this runs per chunk). */
const chunkFieldSize = (d: ChunkData | undefined): number =>
  d === undefined ? 0 : fieldSize(chunkSize(d));

function aggrChunkSize(c: AggrChunk): number {
  return (
    timeSize(c.minTime) +
    timeSize(c.maxTime) +
    chunkFieldSize(c.raw) +
    chunkFieldSize(c.count) +
    chunkFieldSize(c.sum) +
    chunkFieldSize(c.min) +
    chunkFieldSize(c.max) +
    chunkFieldSize(c.counter)
  );
}

/** A SeriesResponse with `series` set, as protobufjs encodes it. */
export function encodeSeriesResponse(labels: Labels, chunks: readonly AggrChunk[]): Uint8Array {
  const sizes = measureSeries(labels, chunks);
  const w = new Writer(new Uint8Array(fieldSize(sizes.series)), 0);
  writeSeries(w, labels, chunks, sizes);
  return w.buf;
}

/**
 * Appends the SeriesResponse framed (its uvarint length first) to `out`, written in place: a
 * store writes a stream's frames into one reused buffer instead of a message, a frame and a
 * batch apiece.
 */
export function appendSeriesFrame(
  out: FrameBuffer,
  labels: Labels,
  chunks: readonly AggrChunk[],
): void {
  const sizes = measureSeries(labels, chunks);
  const message = fieldSize(sizes.series);
  out.reserve(uvarintSize(message) + message);
  const w = new Writer(out.buf, out.at);
  w.varint(message);
  writeSeries(w, labels, chunks, sizes);
  out.at = w.at;
}

/** The sizes of a Series' parts, measured once before it is written. */
interface SeriesSizes {
  readonly names: number[];
  readonly values: number[];
  readonly labels: number[];
  readonly chunks: number[];
  /** The Series message (SeriesResponse field 1's content). */
  readonly series: number;
}

function measureSeries(labels: Labels, chunks: readonly AggrChunk[]): SeriesSizes {
  const names = new Array<number>(labels.length);
  const values = new Array<number>(labels.length);
  const labelSizes = new Array<number>(labels.length);
  let series = 0;
  for (let i = 0; i < labels.length; i++) {
    names[i] = utf8Size(labels[i]!.name);
    values[i] = utf8Size(labels[i]!.value);
    labelSizes[i] = presentSize(names[i]!) + presentSize(values[i]!);
    series += fieldSize(labelSizes[i]!);
  }
  const chunkSizes = chunks.map(aggrChunkSize);
  for (const s of chunkSizes) series += fieldSize(s);
  return { names, values, labels: labelSizes, chunks: chunkSizes, series };
}

function writeSeries(
  w: Writer,
  labels: Labels,
  chunks: readonly AggrChunk[],
  sizes: SeriesSizes,
): void {
  w.buf[w.at++] = 0x0a; // SeriesResponse.series
  w.varint(sizes.series);
  for (let i = 0; i < labels.length; i++) {
    w.buf[w.at++] = 0x0a; // Series.labels
    w.varint(sizes.labels[i]!);
    w.string(0x0a, labels[i]!.name, sizes.names[i]!);
    w.string(0x12, labels[i]!.value, sizes.values[i]!);
  }
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    w.buf[w.at++] = 0x12; // Series.chunks
    w.varint(sizes.chunks[i]!);
    w.time(0x08, c.minTime);
    w.time(0x10, c.maxTime);
    // AggrChunk fields 3..8, in number order.
    w.chunk(0x1a, c.raw);
    w.chunk(0x22, c.count);
    w.chunk(0x2a, c.sum);
    w.chunk(0x32, c.min);
    w.chunk(0x3a, c.max);
    w.chunk(0x42, c.counter);
  }
}

/** A cursor over protobuf fields; `ok` turns false at the first thing it does not handle. */
class Reader {
  readonly b: Uint8Array;
  at: number;
  readonly end: number;
  ok = true;

  constructor(b: Uint8Array, at: number, end: number) {
    this.b = b;
    this.at = at;
    this.end = end;
  }

  /** A varint up to 2^53 (larger ones, and int64 negatives, are left to protobufjs). */
  varint(): number {
    const b = this.b;
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.at >= this.end) break;
      const c = b[this.at++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) return x;
      mul *= 128;
    }
    this.ok = false;
    return 0;
  }

  /** An int64 varint: two's complement negatives (ten bytes) included, exact below 2^53. */
  int64(): number {
    const b = this.b;
    let lo = 0;
    let hi = 0;
    let i = 0;
    for (; i < 10 && this.at < this.end; i++) {
      const c = b[this.at++]!;
      if (i < 4) lo |= (c & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (c & 0x0f) << 28;
        hi |= (c & 0x7f) >> 4;
      } else hi |= (c & 0x7f) << (7 * i - 32);
      if (c < 0x80) {
        const v = (hi | 0) * TWO_32 + (lo >>> 0);
        if (Number.isSafeInteger(v)) return v;
        break;
      }
    }
    this.ok = false;
    return 0;
  }

  /** A field's tag: a varint of at most five bytes below 2^32, as protobufjs requires. */
  tag(): number {
    const start = this.at;
    const t = this.varint();
    if (this.at - start > 5 || t >= TWO_32) this.ok = false;
    return t;
  }

  /** The end of a length-delimited field's content, which must lie within `limit`. */
  span(limit: number): number {
    const len = this.varint();
    const end = this.at + len;
    if (end > limit) this.ok = false;
    return end;
  }

  /** Ends a message's fields: nothing may have run past its end (protobufjs refuses it). */
  close(end: number): void {
    if (this.at !== end) this.ok = false;
  }

  /** Passes over a field with tag `tag` (groups and field number 0 are not handled). */
  skip(tag: number): void {
    const wire = tag & 7;
    if (tag >>> 3 === 0) this.ok = false;
    else if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) this.at = this.span(this.end);
    else if (wire === 5) this.at += 4;
    else this.ok = false;
    if (this.at > this.end) this.ok = false;
  }

  string(end: number): string {
    const b = this.b;
    let s = '';
    if (end - this.at <= 64) {
      let i = this.at;
      while (i < end && b[i]! < 0x80) s += String.fromCharCode(b[i++]!);
      if (i === end) {
        this.at = end;
        return s;
      }
    }
    try {
      s = decoder.decode(b.subarray(this.at, end));
    } catch {
      this.ok = false; // invalid UTF-8: protobufjs reports it
    }
    this.at = end;
    return s;
  }
}

/** The data of a chunk without any: shared, as chunk data is only read. */
const NO_DATA = new Uint8Array(0);

function readChunk(r: Reader, end: number): ChunkData {
  let type = 0;
  let data: Uint8Array = NO_DATA;
  while (r.ok && r.at < end) {
    const tag = r.tag();
    if (tag === 0x08)
      type = r.varint() | 0; // int32, as protobufjs reads the enum
    else if (tag === 0x12) {
      const e = r.span(end);
      data = r.b.subarray(r.at, e);
      r.at = e;
    } else if (tag === 0x18) {
      r.varint(); // hash: not kept
    } else if (tag >>> 3 <= 3) {
      r.ok = false; // a known field with another wire type
    } else r.skip(tag);
    if (r.at > end) r.ok = false;
  }
  return { encoding: ENCODINGS[type] ?? 'XOR', data };
}

function readAggrChunk(r: Reader, end: number): AggrChunk {
  const out: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = { minTime: 0, maxTime: 0 };
  while (r.ok && r.at < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (tag === 0x08) out.minTime = r.int64();
    else if (tag === 0x10) out.maxTime = r.int64();
    else if (field >= 3 && field <= 8 && (tag & 7) === 2) {
      const e = r.span(end);
      if (field === 3) {
        // Raw data, nearly every chunk: stored by name, so every such chunk has one shape.
        if (out.raw !== undefined) r.ok = false;
        out.raw = readChunk(r, e);
      } else {
        const name = AGGR_FIELDS[field - 3] as AggrField;
        // A second occurrence is merged into the first by protobufjs: left to it.
        if (out[name] !== undefined) r.ok = false;
        out[name] = readChunk(r, e);
      }
      r.close(e);
    } else if (field <= 8)
      r.ok = false; // a known field with another wire type
    else r.skip(tag);
    if (r.at > end) r.ok = false;
  }
  return out;
}

/**
 * The series of a SeriesResponse made of one well-formed `series` field, or undefined for anything
 * else.
 */
export function decodeSeriesResponse(
  bytes: Uint8Array,
): { labels: Labels; chunks: AggrChunk[] } | undefined {
  const r = new Reader(bytes, 0, bytes.length);
  let found: { labels: Labels; chunks: AggrChunk[] } | undefined;
  while (r.ok && r.at < r.end) {
    // Anything but one `series` field (a second is merged into the first) is left to protobufjs.
    if (found !== undefined || r.tag() !== 0x0a) return undefined;
    const seriesEnd = r.span(r.end);
    const labels: { name: string; value: string }[] = [];
    const chunks: AggrChunk[] = [];
    while (r.ok && r.at < seriesEnd) {
      const tag = r.tag();
      if (tag === 0x0a) {
        const labelEnd = r.span(seriesEnd);
        let name = '';
        let value = '';
        while (r.ok && r.at < labelEnd) {
          const t = r.tag();
          if (t === 0x0a) name = r.string(r.span(labelEnd));
          else if (t === 0x12) value = r.string(r.span(labelEnd));
          else if (t >>> 3 <= 2) r.ok = false;
          else r.skip(t);
          if (r.at > labelEnd) r.ok = false;
        }
        labels.push({ name, value });
        r.close(labelEnd);
      } else if (tag === 0x12) {
        const chunkEnd = r.span(seriesEnd);
        chunks.push(readAggrChunk(r, chunkEnd));
        r.close(chunkEnd);
      } else if (tag >>> 3 <= 2) r.ok = false;
      else r.skip(tag);
      if (r.at > seriesEnd) r.ok = false;
    }
    r.close(seriesEnd);
    found = { labels, chunks };
  }
  return r.ok && r.at === r.end ? found : undefined;
}
