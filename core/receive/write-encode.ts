/**
 * @module core/receive/write-encode — encodes a remote-write `WriteRequest` (what the ruler sends
 * to the receive path, what tests and the receive benchmark send): labels as Prometheus sends them
 * (each label name then value), samples with their exact value bits, so the staleness marker
 * (0x7ff0000000000002) survives; a JS number that is that NaN is written as the marker.
 */
import { isStaleNaNNumber, STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../chunkenc/stale.ts';
import type { Labels } from '../labels/labels.ts';
import { putUvarint, uvarintSize } from '../varint.ts';

const utf8 = new TextEncoder();

/** A varint's bytes; negative values as int64 two's complement (ten). */
const varintSize = (v: number): number => (v < 0 ? 10 : uvarintSize(v));

/**
 * One output buffer, sized up front: every message length is computed before it is written, so
 * encoding makes no intermediate buffers (a buffer per label and per sample made hundreds of
 * megabytes of short-lived ArrayBuffers for a ruler writing 25k series at once).
 */
class ProtoWriter {
  readonly buf: Uint8Array;
  readonly #view: DataView;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.#view = new DataView(this.buf.buffer);
  }

  /** A varint; negative values as int64 two's complement (10 bytes). */
  varint(v: number): void {
    if (v < 0) {
      let lo = (v % 2 ** 32) >>> 0;
      let hi = Math.floor(v / 2 ** 32) >>> 0;
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo = (lo >>> 7) | ((hi & 0x7f) << 25);
        hi >>>= 7;
      }
      this.buf[this.pos++] = lo & 0x01;
      return;
    }
    this.pos = putUvarint(this.buf, this.pos, v);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A double with its exact bits; the staleness marker as its bit pattern. */
  double(v: number): void {
    if (isStaleNaNNumber(v)) {
      this.#view.setUint32(this.pos, STALE_NAN_BITS_LO, true);
      this.#view.setUint32(this.pos + 4, STALE_NAN_BITS_HI, true);
    } else {
      this.#view.setFloat64(this.pos, v, true);
    }
    this.pos += 8;
  }
}

export interface EncodeSeries {
  /** In the order to send (Prometheus sends them sorted by name). */
  readonly labels: Labels;
  /** Timestamps (ms) and values, as many of each. */
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
}

/** An uncompressed WriteRequest holding these series. */
export function encodeWriteRequest(series: readonly EncodeSeries[]): Uint8Array {
  // Pass 1: the UTF-8 of every label and the length of every message.
  const strings: Uint8Array[] = [];
  const seriesLen: number[] = [];
  let total = 0;
  for (const s of series) {
    let len = 0;
    for (const l of s.labels) {
      const name = utf8.encode(l.name);
      const value = utf8.encode(l.value);
      strings.push(name, value);
      const inner =
        1 + varintSize(name.length) + name.length + 1 + varintSize(value.length) + value.length;
      len += 1 + varintSize(inner) + inner;
    }
    for (let i = 0; i < s.t.length; i++) {
      const inner = 1 + 8 + 1 + varintSize(s.t[i]!);
      len += 1 + varintSize(inner) + inner;
    }
    seriesLen.push(len);
    total += 1 + varintSize(len) + len;
  }
  // Pass 2: write.
  const w = new ProtoWriter(total);
  let k = 0;
  series.forEach((s, n) => {
    w.varint(0x0a); // WriteRequest.timeseries
    w.varint(seriesLen[n]!);
    for (let j = 0; j < s.labels.length; j++) {
      const name = strings[k++]!;
      const value = strings[k++]!;
      w.varint(0x0a); // TimeSeries.labels
      w.varint(
        1 + varintSize(name.length) + name.length + 1 + varintSize(value.length) + value.length,
      );
      w.varint(0x0a); // Label.name
      w.varint(name.length);
      w.bytes(name);
      w.varint(0x12); // Label.value
      w.varint(value.length);
      w.bytes(value);
    }
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      w.varint(0x12); // TimeSeries.samples
      w.varint(1 + 8 + 1 + varintSize(t));
      w.varint(0x09); // Sample.value, fixed64
      w.double(s.v[i]!);
      w.varint(0x10); // Sample.timestamp, varint
      w.varint(t);
    }
  });
  return w.buf;
}
