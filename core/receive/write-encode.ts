/**
 * @module core/receive/write-encode — encodes a remote-write `WriteRequest` (what the ruler sends
 * to the receive path, what tests and the receive benchmark send): labels as Prometheus sends them
 * (each label name then value), samples with their exact value bits, so the staleness marker
 * (0x7ff0000000000002) survives; a JS number that is that NaN is written as the marker.
 */
import { isStaleNaNNumber, STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../chunkenc/stale.ts';
import type { Labels } from '../labels/labels.ts';

const utf8 = new TextEncoder();

/** A growable byte buffer with protobuf's varint and length-delimited writes. */
class ProtoWriter {
  buf = new Uint8Array(1 << 12);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** A varint; negative values as int64 two's complement (10 bytes). */
  varint(v: number): void {
    this.ensure(10);
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
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  bytes(field: number, b: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function encodeSample(t: number, v: number): Uint8Array {
  const w = new ProtoWriter();
  w.ensure(9);
  w.buf[w.pos++] = 0x09; // field 1, fixed64
  const dv = new DataView(w.buf.buffer);
  if (isStaleNaNNumber(v)) {
    dv.setUint32(w.pos, STALE_NAN_BITS_LO, true);
    dv.setUint32(w.pos + 4, STALE_NAN_BITS_HI, true);
  } else {
    dv.setFloat64(w.pos, v, true);
  }
  w.pos += 8;
  w.varint(0x10); // field 2, varint
  w.varint(t);
  return w.done();
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
  const req = new ProtoWriter();
  for (const s of series) {
    const ts = new ProtoWriter();
    for (const l of s.labels) {
      const lw = new ProtoWriter();
      lw.bytes(1, utf8.encode(l.name));
      lw.bytes(2, utf8.encode(l.value));
      ts.bytes(1, lw.done());
    }
    for (let i = 0; i < s.t.length; i++) ts.bytes(2, encodeSample(s.t[i]!, s.v[i]!));
    req.bytes(1, ts.done());
  }
  return req.done();
}
