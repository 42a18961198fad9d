/**
 * @module test/helpers/remote-write — builds Prometheus remote-write bodies (WriteRequest,
 * snappy block format) for tests and the receive benchmark. Encoded here rather than with the
 * generated prompb code, whose double writer quiets signalling NaNs: the staleness marker
 * (0x7ff0000000000002) must reach the receiver bit for bit, as Prometheus sends it.
 */
import { STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../../core/chunkenc/stale.ts';
import { putUvarint } from '../../core/storeapi/framing.ts';
import { snappyEncode } from '../../sidecar-agent/prometheus/snappy.ts';

const utf8 = new TextEncoder();

class Writer {
  buf = new Uint8Array(1 << 16);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  varint(v: number): void {
    this.ensure(10);
    if (v < 0) {
      // int64 two's complement, 10 bytes.
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

function encodeSample(t: number, v: number | 'stale'): Uint8Array {
  const w = new Writer();
  w.ensure(9);
  w.buf[w.pos++] = 0x09; // field 1, fixed64
  const dv = new DataView(w.buf.buffer);
  if (v === 'stale') {
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

export interface WriteSeriesInput {
  /** Label pairs; sorted by name here unless `unsorted`. */
  readonly labels: Record<string, string>;
  /** [timestamp ms, value]; `'stale'` is the staleness marker (plain arrays lose NaN payloads). */
  readonly samples: ReadonlyArray<readonly [number, number | 'stale']>;
}

export function encodeWriteRequest(
  series: readonly WriteSeriesInput[],
  unsorted = false,
): Uint8Array {
  const req = new Writer();
  for (const s of series) {
    const labels = Object.entries(s.labels);
    if (!unsorted) labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const ts = new Writer();
    for (const [name, value] of labels) {
      const l = new Writer();
      l.bytes(1, utf8.encode(name));
      l.bytes(2, utf8.encode(value));
      ts.bytes(1, l.done());
    }
    for (const [t, v] of s.samples) ts.bytes(2, encodeSample(t, v));
    req.bytes(1, ts.done());
  }
  return req.done();
}

/** A remote-write HTTP body: the encoded request, snappy-compressed. */
export function remoteWriteBody(
  series: readonly WriteSeriesInput[],
  unsorted = false,
): Uint8Array<ArrayBuffer> {
  return snappyEncode(encodeWriteRequest(series, unsorted)) as Uint8Array<ArrayBuffer>;
}

/** Headers Prometheus sends with a remote write. */
export function remoteWriteHeaders(token?: string, tenant?: string): Record<string, string> {
  return {
    'content-encoding': 'snappy',
    'content-type': 'application/x-protobuf',
    'x-prometheus-remote-write-version': '0.1.0',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(tenant ? { 'THANOS-TENANT': tenant } : {}),
  };
}
