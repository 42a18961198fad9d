/**
 * @module sidecar-agent/sidecar/series-transcoder — Prometheus remote-read `ChunkedReadResponse`
 * messages into StoreAPI `SeriesResponse` frames, byte to byte: no protobuf objects, no strings on
 * the common path, each chunk's bytes copied once.
 *
 * Wire facts (prompb/remote.proto, prompb/types.proto; Thanos storepb/rpc.proto, types.proto):
 *   ChunkedReadResponse { repeated ChunkedSeries chunked_series = 1; int64 query_index = 2 }
 *   ChunkedSeries       { repeated Label labels = 1; repeated prompb.Chunk chunks = 2 }
 *   prompb.Chunk        { int64 min_time_ms = 1; int64 max_time_ms = 2; Encoding type = 3; bytes data = 4 }
 *                         Encoding: UNKNOWN 0, XOR 1, HISTOGRAM 2, FLOAT_HISTOGRAM 3
 *   SeriesResponse      { Series series = 1; … }      Series { repeated Label labels = 1; repeated AggrChunk chunks = 2 }
 *   AggrChunk           { int64 min_time = 1; int64 max_time = 2; storepb.Chunk raw = 3; … }
 *   storepb.Chunk       { Encoding type = 1; bytes data = 2 }   Encoding: XOR 0, HISTOGRAM 1, FLOAT_HISTOGRAM 2
 *   Label               { string name = 1; string value = 2 }  (the same message on both sides)
 *
 * Series are released in StoreAPI order (see `PrometheusStore` for why a series is held while the
 * following ones extend its own labels). Prometheus splits a series with many chunks over several
 * messages with its labels repeated; they become one StoreAPI series.
 */
import { compareLabels, type Label, type Labels } from '../../core/labels/labels.ts';
import { decodeSeriesLabels } from '../../core/storeapi/codec.ts';
import { StoreUnavailableError } from '../../core/storeapi/errors.ts';
import { putUvarint, uvarintSize } from '../../core/varint.ts';
import { Encbuf } from '../../core/tsdb/encoding.ts';

const utf8 = new TextEncoder();

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
/** Int32 slots per label in the label table. */
const LABEL_SLOTS = 5;

/** One series being assembled: its merged label entries and its AggrChunk entries, encoded. */
interface PendingSeries {
  /** Own label entries as Prometheus sent them (external label names left out): identity and prefix checks. */
  readonly own: ByteSink;
  /** `Series.labels` entries, external labels merged in. */
  readonly labels: ByteSink;
  /** `Series.chunks` entries. */
  readonly chunks: ByteSink;
}

interface ExternalLabel {
  readonly name: Uint8Array;
  /** The whole `Label` entry, tag and length included. */
  readonly entry: Uint8Array;
}

export interface SeriesTranscoderOptions {
  /** External labels, sorted by name; they replace labels of the same name. */
  readonly externalLabels: Labels;
  readonly skipChunks: boolean;
  /** Upper bound on series; 0 = none. */
  readonly limit: number;
}

export class SeriesTranscoder {
  #ext: readonly ExternalLabel[] = [];
  #skipChunks = false;
  #limit = 0;
  /** Sized for a 256 KiB batch plus a series, so it rarely grows. */
  readonly #out = new ByteSink(320 * 1024);
  /** Series not yet released; the last one is the series being read. */
  #held: PendingSeries[] = [];
  /** Released series, reused so that reading a series allocates nothing. */
  #spare: PendingSeries[] = [];
  /** The own labels of the series being read, before it is known whether it is a new one. */
  readonly #own = new ByteSink(256);
  #emitted = 0;
  /** Per label of the series being read: entry start, entry end, name start, name end, external label index. */
  #labels: Int32Array = new Int32Array(16 * LABEL_SLOTS);
  #extSize = 0;
  /** Scratch: the current message and a read position in it. */
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;

  constructor(options: SeriesTranscoderOptions) {
    this.reset(options);
  }

  /** Starts a new answer, keeping the buffers (a pooled transcoder allocates nothing per request). */
  reset(options: SeriesTranscoderOptions): void {
    this.#ext = options.externalLabels.map((l) => ({
      name: utf8.encode(l.name),
      entry: encodeLabelEntry(l),
    }));
    this.#extSize = this.#ext.reduce((n, l) => n + l.entry.length, 0);
    this.#skipChunks = options.skipChunks;
    this.#limit = options.limit;
    this.#emitted = 0;
    this.#out.length = 0;
    for (const s of this.#held) this.#recycle(s);
    this.#held.length = 0;
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
  }

  /** Whether the series limit is reached: nothing more will be emitted. */
  get full(): boolean {
    return this.#limit > 0 && this.#emitted >= this.#limit;
  }

  /** Bytes of finished frames waiting to be taken. */
  get pendingBytes(): number {
    return this.#out.length;
  }

  /**
   * Finished frames so far, leaving the output empty. A view of the output buffer: valid until
   * the next `push` or `finish`, which write over it.
   */
  take(): Uint8Array {
    const bytes = this.#out.bytes.subarray(0, this.#out.length);
    this.#out.length = 0;
    return bytes;
  }

  /** Consumes one ChunkedReadResponse message. The message may be reused by the caller afterwards. */
  push(message: Uint8Array): void {
    if (this.full) return;
    this.#buf = message;
    this.#pos = 0;
    const end = message.length;
    while (this.#pos < end) {
      const tag = this.#varint();
      if (tag >>> 3 === 1 && (tag & 7) === LEN) {
        const len = this.#varint();
        const start = this.#pos;
        this.#checkEnd(start + len, end);
        this.#series(start, start + len);
        this.#pos = start + len;
      } else this.#skip(tag & 7, end);
      if (this.full) return;
    }
  }

  /** Releases every held series: call at the end of the stream. */
  finish(): void {
    this.#release();
  }

  #series(start: number, end: number): void {
    // First pass: where the label entries are (they precede the chunks in Go's encoding, but the
    // format does not promise it).
    let count = 0;
    this.#pos = start;
    while (this.#pos < end) {
      const at = this.#pos;
      const tag = this.#varint();
      if (tag >>> 3 === 1 && (tag & 7) === LEN) {
        const len = this.#varint();
        const entryEnd = this.#pos + len;
        this.#checkEnd(entryEnd, end);
        if (this.#labels.length < (count + 1) * LABEL_SLOTS) this.#labels = growInt32(this.#labels);
        const slot = count++ * LABEL_SLOTS;
        this.#labels[slot] = at;
        this.#labels[slot + 1] = entryEnd;
        this.#labelName(entryEnd, slot);
        this.#labels[slot + 4] = this.#externalIndex(slot);
        this.#pos = entryEnd;
      } else this.#skip(tag & 7, end);
    }
    const own = this.#own;
    this.#ownLabels(count, own);
    const current = this.#held.at(-1);
    let series: PendingSeries;
    if (current && sinksEqual(current.own, own)) {
      series = current;
    } else {
      if (this.#held.length > 0 && !startsWith(own, this.#held[0]!.own)) {
        this.#release();
        if (this.full) return;
      }
      series = this.#spare.pop() ?? {
        own: new ByteSink(256),
        labels: new ByteSink(256),
        chunks: new ByteSink(4096),
      };
      series.own.length = copyRange(series.own.room(own.length), 0, own.bytes, 0, own.length);
      this.#mergedLabels(count, series.labels);
      this.#held.push(series);
    }
    if (this.#skipChunks) return;
    // Second pass: the chunks.
    this.#pos = start;
    while (this.#pos < end) {
      const tag = this.#varint();
      if (tag >>> 3 === 2 && (tag & 7) === LEN) {
        const len = this.#varint();
        const chunkEnd = this.#pos + len;
        this.#checkEnd(chunkEnd, end);
        this.#chunk(this.#pos, chunkEnd, series.chunks);
        this.#pos = chunkEnd;
      } else this.#skip(tag & 7, end);
    }
  }

  /** One prompb.Chunk at [start, end) appended to `sink` as a `Series.chunks` AggrChunk entry. */
  #chunk(start: number, end: number, sink: ByteSink): void {
    const buf = this.#buf;
    let minAt = -1;
    let minEnd = -1;
    let maxAt = -1;
    let maxEnd = -1;
    let type = 0;
    let dataAt = 0;
    let dataLen = 0;
    this.#pos = start;
    while (this.#pos < end) {
      const tag = this.#varint();
      if (tag === 0x08) {
        minAt = this.#pos;
        this.#skip(VARINT, end);
        minEnd = this.#pos;
      } else if (tag === 0x10) {
        maxAt = this.#pos;
        this.#skip(VARINT, end);
        maxEnd = this.#pos;
      } else if (tag === 0x18) {
        type = this.#varint();
      } else if (tag === 0x22) {
        dataLen = this.#varint();
        dataAt = this.#pos;
        this.#checkEnd(dataAt + dataLen, end);
        this.#pos += dataLen;
      } else this.#skip(tag & 7, end);
    }
    if (type < 1 || type > 3)
      throw new StoreUnavailableError(`remote read: chunk of unknown encoding ${type}`);
    const storeType = type - 1;
    const chunkLen = (storeType ? 2 : 0) + 1 + uvarintSize(dataLen) + dataLen;
    const minLen = minAt < 0 ? 0 : 1 + minEnd - minAt;
    const maxLen = maxAt < 0 ? 0 : 1 + maxEnd - maxAt;
    const aggrLen = minLen + maxLen + 1 + uvarintSize(chunkLen) + chunkLen;
    const out = sink.room(1 + uvarintSize(aggrLen) + aggrLen);
    let o = sink.length;
    out[o++] = 0x12; // Series.chunks
    o = putUvarint(out, o, aggrLen);
    if (minAt >= 0) {
      out[o++] = 0x08; // AggrChunk.min_time
      o = copyRange(out, o, buf, minAt, minEnd);
    }
    if (maxAt >= 0) {
      out[o++] = 0x10; // AggrChunk.max_time
      o = copyRange(out, o, buf, maxAt, maxEnd);
    }
    out[o++] = 0x1a; // AggrChunk.raw
    o = putUvarint(out, o, chunkLen);
    if (storeType) {
      out[o++] = 0x08; // Chunk.type (1 or 2: one byte)
      out[o++] = storeType;
    }
    out[o++] = 0x12; // Chunk.data
    o = putUvarint(out, o, dataLen);
    sink.length = copyRange(out, o, buf, dataAt, dataAt + dataLen);
  }

  /** The label entries whose names are not external label names, concatenated into `into`. */
  #ownLabels(count: number, into: ByteSink): void {
    const t = this.#labels;
    let size = 0;
    for (let i = 0; i < count * LABEL_SLOTS; i += LABEL_SLOTS)
      if (t[i + 4]! < 0) size += t[i + 1]! - t[i]!;
    into.length = 0;
    const out = into.room(size);
    let o = 0;
    for (let i = 0; i < count * LABEL_SLOTS; i += LABEL_SLOTS) {
      if (t[i + 4]! < 0) o = copyRange(out, o, this.#buf, t[i]!, t[i + 1]!);
    }
    into.length = o;
  }

  /** Own label entries and external ones merged by name (external labels win), into `into`. */
  #mergedLabels(count: number, into: ByteSink): void {
    const t = this.#labels;
    const buf = this.#buf;
    const ext = this.#ext;
    let size = this.#extSize;
    for (let i = 0; i < count * LABEL_SLOTS; i += LABEL_SLOTS)
      if (t[i + 4]! < 0) size += t[i + 1]! - t[i]!;
    into.length = 0;
    const out = into.room(size);
    let o = 0;
    let j = 0;
    for (let i = 0; i < count * LABEL_SLOTS; i += LABEL_SLOTS) {
      if (t[i + 4]! >= 0) continue;
      while (j < ext.length && compareRange(ext[j]!.name, buf, t[i + 2]!, t[i + 3]!) < 0) {
        o = copyRange(out, o, ext[j]!.entry, 0, ext[j]!.entry.length);
        j++;
      }
      o = copyRange(out, o, buf, t[i]!, t[i + 1]!);
    }
    for (; j < ext.length; j++) o = copyRange(out, o, ext[j]!.entry, 0, ext[j]!.entry.length);
    into.length = o;
  }

  /** Index of the external label named like the label in `slot`, or -1. */
  #externalIndex(slot: number): number {
    const ext = this.#ext;
    const t = this.#labels;
    for (let k = 0; k < ext.length; k++)
      if (compareRange(ext[k]!.name, this.#buf, t[slot + 2]!, t[slot + 3]!) === 0) return k;
    return -1;
  }

  /** Finds the name of the Label entry whose body starts at #pos and ends at `end`; stores its range in `slot`. */
  #labelName(end: number, slot: number): void {
    const t = this.#labels;
    t[slot + 2] = this.#pos;
    t[slot + 3] = this.#pos;
    while (this.#pos < end) {
      const tag = this.#varint();
      if (tag >>> 3 === 1 && (tag & 7) === LEN) {
        const n = this.#varint();
        this.#checkEnd(this.#pos + n, end);
        t[slot + 2] = this.#pos;
        t[slot + 3] = this.#pos + n;
        return;
      }
      this.#skip(tag & 7, end);
    }
  }

  /** Emits the held series, sorted by their full labels when more than one. */
  #release(): void {
    const held = this.#held;
    if (held.length > 1) {
      const keyed = held.map((s) => ({
        s,
        labels: decodeSeriesLabels(s.labels.bytes.subarray(0, s.labels.length)),
      }));
      keyed.sort((a, b) => compareLabels(a.labels, b.labels));
      for (let i = 0; i < held.length; i++) held[i] = keyed[i]!.s;
    }
    for (const s of held) {
      if (!this.full) this.#emit(s);
      this.#recycle(s);
    }
    held.length = 0;
  }

  #recycle(s: PendingSeries): void {
    s.own.length = 0;
    s.labels.length = 0;
    s.chunks.length = 0;
    if (this.#spare.length < 8) this.#spare.push(s);
  }

  #emit(s: PendingSeries): void {
    const seriesLen = s.labels.length + s.chunks.length;
    const responseLen = 1 + uvarintSize(seriesLen) + seriesLen;
    const out = this.#out.room(uvarintSize(responseLen) + responseLen);
    let o = putUvarint(out, this.#out.length, responseLen); // frame length
    out[o++] = 0x0a; // SeriesResponse.series
    o = putUvarint(out, o, seriesLen);
    o = copyRange(out, o, s.labels.bytes, 0, s.labels.length);
    this.#out.length = copyRange(out, o, s.chunks.bytes, 0, s.chunks.length);
    this.#emitted++;
  }

  #varint(): number {
    const buf = this.#buf;
    let b = buf[this.#pos++];
    if (b === undefined) this.#malformed();
    if (b < 0x80) return b;
    let value = b & 0x7f;
    let scale = 128;
    for (let i = 1; i < 10; i++) {
      b = buf[this.#pos++];
      if (b === undefined) this.#malformed();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return this.#malformed();
  }

  #skip(wire: number, end: number): void {
    switch (wire) {
      case VARINT:
        for (let i = 0; ; i++) {
          if (this.#pos >= end || i >= 10) this.#malformed();
          if (this.#buf[this.#pos++]! < 0x80) return;
        }
      case I64:
        this.#pos += 8;
        break;
      case LEN: {
        const len = this.#varint();
        this.#pos += len;
        break;
      }
      case I32:
        this.#pos += 4;
        break;
      default:
        this.#malformed();
    }
    if (this.#pos > end) this.#malformed();
  }

  #checkEnd(at: number, end: number): void {
    if (at > end) this.#malformed();
  }

  #malformed(): never {
    throw new StoreUnavailableError(
      `remote read: malformed ChunkedReadResponse at byte ${this.#pos} of ${this.#buf.length}`,
    );
  }
}

function encodeLabelEntry(l: Label): Uint8Array {
  const name = utf8.encode(l.name);
  const value = utf8.encode(l.value);
  const body = new Encbuf(name.length + value.length + 12);
  body.putByte(0x0a);
  body.putUvarint(name.length);
  body.putBytes(name);
  body.putByte(0x12);
  body.putUvarint(value.length);
  body.putBytes(value);
  const entry = new Encbuf(body.length + 6);
  entry.putByte(0x0a); // Series.labels / ChunkedSeries.labels
  entry.putUvarint(body.length);
  entry.putBytes(body.get());
  return entry.get().slice();
}

/** A growable byte array written with plain index arithmetic (the hot path's writer). */
class ByteSink {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes; returns the array to write into from `length`. */
  room(n: number): Uint8Array {
    if (this.length + n > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.length + n, this.bytes.length * 2));
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
    }
    return this.bytes;
  }
}

/** Copies src[start, end) to out at `o`; short ranges by hand (a subarray view costs more). */
function copyRange(
  out: Uint8Array,
  o: number,
  src: Uint8Array,
  start: number,
  end: number,
): number {
  if (end - start < 64) {
    for (let i = start; i < end; i++) out[o++] = src[i]!;
    return o;
  }
  out.set(src.subarray(start, end), o);
  return o + end - start;
}

function growInt32(a: Int32Array): Int32Array {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

/** Compares `a` with buf[at, end) as bytes (UTF-8 order is code point order). */
function compareRange(a: Uint8Array, buf: Uint8Array, at: number, end: number): number {
  const n = Math.min(a.length, end - at);
  for (let i = 0; i < n; i++) if (a[i] !== buf[at + i]) return a[i]! - buf[at + i]!;
  return a.length - (end - at);
}

function sinksEqual(a: ByteSink, b: ByteSink): boolean {
  return a.length === b.length && startsWith(a, b);
}

/** Whether `sink` starts with the bytes of `prefix`. */
function startsWith(sink: ByteSink, prefix: ByteSink): boolean {
  if (prefix.length > sink.length) return false;
  const x = sink.bytes;
  const y = prefix.bytes;
  for (let i = 0; i < prefix.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
