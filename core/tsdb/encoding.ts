/**
 * @module core/tsdb/encoding — byte buffers for the TSDB formats: `Decbuf`, a sticky-error
 * decoder (read everything, check `err` once, as Prometheus's `encoding.Decbuf`), and `Encbuf`,
 * a growing encoder. Integers are JS numbers: exact up to 2^53, which covers every offset,
 * length, series ref and millisecond timestamp a real block holds.
 */
export { crc32c, crc32cRanges } from './crc32c.ts';
import { putUvarint } from '../varint.ts';

const TWO_32 = 0x1_0000_0000;
const textDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
const textEncoder = new TextEncoder();

/** Why a read failed; the first failure sticks and later reads return zero values. */
export type DecodeError =
  | 'invalid size' // read past the end (Go's ErrInvalidSize)
  | 'invalid uvarint' // more than 10 bytes, or overflow
  | 'value exceeds 2^53'; // an integer a number cannot hold exactly

/**
 * Sticky-error reader over a byte range. Reads never throw and never allocate more than the
 * bytes that are really there: a corrupt length only sets `err`.
 */
export class Decbuf {
  readonly bytes: Uint8Array;
  /** Made on the first fixed-width read: most decoders read only varints (one per chunk, series). */
  #view: DataView | undefined;
  /** Read position, relative to `bytes`. */
  pos: number;
  /** End of the readable window (exclusive). */
  readonly end: number;
  /** The first error, or undefined while all reads succeeded. */
  err: DecodeError | undefined;
  /** Position where the first error happened (for error messages). */
  errPos = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.end = Math.min(Math.max(end, 0), bytes.length);
    this.pos = Math.min(Math.max(start, 0), this.end);
  }

  get #dv(): DataView {
    const b = this.bytes;
    return (this.#view ??= new DataView(b.buffer, b.byteOffset, b.byteLength));
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  #fail(e: DecodeError): void {
    if (this.err === undefined) {
      this.err = e;
      this.errPos = this.pos;
    }
    this.pos = this.end;
  }

  /** True when `n` more bytes can be read; otherwise sets `err`. */
  #need(n: number): boolean {
    if (this.err !== undefined) return false;
    if (n < 0 || n > this.end - this.pos) {
      this.#fail('invalid size');
      return false;
    }
    return true;
  }

  byte(): number {
    if (!this.#need(1)) return 0;
    return this.bytes[this.pos++]!;
  }

  be32(): number {
    if (!this.#need(4)) return 0;
    // From the bytes, not a DataView: series entries and postings read one be32 from a fresh
    // Decbuf each, and making the view cost more than the read.
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** Big-endian uint64; sets `err` if it exceeds 2^53. */
  be64(): number {
    if (!this.#need(8)) return 0;
    const hi = this.#dv.getUint32(this.pos);
    const lo = this.#dv.getUint32(this.pos + 4);
    if (hi > 0x1fffff) {
      this.#fail('value exceeds 2^53');
      return 0;
    }
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  be64BigInt(): bigint {
    if (!this.#need(8)) return 0n;
    const v = this.#dv.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  le32(): number {
    if (!this.#need(4)) return 0;
    const v = this.#dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  le64(): number {
    if (!this.#need(8)) return 0;
    const lo = this.#dv.getUint32(this.pos, true);
    const hi = this.#dv.getUint32(this.pos + 4, true);
    if (hi > 0x1fffff) {
      this.#fail('value exceeds 2^53');
      return 0;
    }
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** Unsigned varint (Go's `binary.Uvarint`); sets `err` above 2^53. */
  uvarint(): number {
    if (this.err !== undefined) return 0;
    const b = this.bytes;
    const end = this.end;
    let p = this.pos;
    // Fast path: one byte (most lengths, symbol refs and deltas).
    if (p < end && b[p]! < 0x80) {
      this.pos = p + 1;
      return b[p]!;
    }
    // Multiply instead of shifting: bit ops are 32-bit. Each term is exact, so the sum is
    // exact whenever the result is ≤ 2^53.
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= end) {
        this.#fail('invalid size');
        return 0;
      }
      const c = b[p++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) {
        if (x > Number.MAX_SAFE_INTEGER) {
          this.#fail('value exceeds 2^53');
          return 0;
        }
        this.pos = p;
        return x;
      }
      mul *= 128;
    }
    this.#fail('invalid uvarint');
    return 0;
  }

  /** Unsigned varint as bigint: exact for the full uint64 range. */
  uvarint64(): bigint {
    if (this.err !== undefined) return 0n;
    const b = this.bytes;
    let x = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        this.#fail('invalid size');
        return 0n;
      }
      const c = b[this.pos++]!;
      if (i === 9 && c > 1) {
        this.#fail('invalid uvarint');
        return 0n;
      }
      x |= BigInt(c & 0x7f) << shift;
      if (c < 0x80) return x;
      shift += 7n;
    }
    this.#fail('invalid uvarint');
    return 0n;
  }

  /** Signed zig-zag varint (Go's `binary.Varint`); sets `err` outside ±2^53. */
  varint(): number {
    const u = this.uvarint();
    // Zig-zag decode without 32-bit bit ops: even → u/2, odd → -(u+1)/2.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Signed zig-zag varint as bigint: exact for the full int64 range (tombstone bounds use ±2^63). */
  varint64(): bigint {
    const u = this.uvarint64();
    return u & 1n ? -((u + 1n) >> 1n) : u >> 1n;
  }

  /** `n` raw bytes as a view (no copy). */
  bytesView(n: number): Uint8Array {
    if (!this.#need(n)) return new Uint8Array(0);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Uvarint length, then that many bytes (a view). */
  uvarintBytes(): Uint8Array {
    const n = this.uvarint();
    return this.bytesView(n);
  }

  /** Uvarint length, then that many UTF-8 bytes. */
  uvarintStr(): string {
    const v = this.uvarintBytes();
    return v.length === 0 ? '' : textDecoder.decode(v);
  }

  skip(n: number): void {
    if (this.#need(n)) this.pos += n;
  }

  /** Moves to an absolute position in `bytes` (within the window). */
  seek(pos: number): void {
    if (this.err !== undefined) return;
    if (pos < 0 || pos > this.end) this.#fail('invalid size');
    else this.pos = pos;
  }
}

/** Growing byte buffer for writers (the block writer reuses it). */
export class Encbuf {
  #b: Uint8Array;
  #dv: DataView;
  #len = 0;

  constructor(capacity = 1024) {
    this.#b = new Uint8Array(Math.max(16, capacity));
    this.#dv = new DataView(this.#b.buffer);
  }

  get length(): number {
    return this.#len;
  }

  /** The written bytes (a view; valid until the next write). */
  get(): Uint8Array {
    return this.#b.subarray(0, this.#len);
  }

  reset(): void {
    this.#len = 0;
  }

  #grow(n: number): void {
    if (this.#len + n <= this.#b.length) return;
    let cap = this.#b.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.#b.subarray(0, this.#len));
    this.#b = nb;
    this.#dv = new DataView(nb.buffer);
  }

  putByte(v: number): void {
    this.#grow(1);
    this.#b[this.#len++] = v;
  }

  putBE32(v: number): void {
    this.#grow(4);
    this.#dv.setUint32(this.#len, v >>> 0);
    this.#len += 4;
  }

  /** Big-endian uint64 from a non-negative number ≤ 2^53. */
  putBE64(v: number): void {
    this.#grow(8);
    this.#dv.setUint32(this.#len, Math.floor(v / TWO_32));
    this.#dv.setUint32(this.#len + 4, v >>> 0);
    this.#len += 8;
  }

  putBE64BigInt(v: bigint): void {
    this.#grow(8);
    this.#dv.setBigUint64(this.#len, BigInt.asUintN(64, v));
    this.#len += 8;
  }

  putLE32(v: number): void {
    this.#grow(4);
    this.#dv.setUint32(this.#len, v >>> 0, true);
    this.#len += 4;
  }

  /** Unsigned varint of a non-negative integer ≤ 2^53. */
  putUvarint(v: number): void {
    this.#grow(10);
    this.#len = putUvarint(this.#b, this.#len, v);
  }

  putUvarint64(v: bigint): void {
    this.#grow(10);
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.#b[this.#len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.#b[this.#len++] = Number(x);
  }

  /** Signed zig-zag varint of an integer within ±2^52. */
  putVarint(v: number): void {
    this.putUvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  putVarint64(v: bigint): void {
    this.putUvarint64(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }

  putBytes(v: Uint8Array): void {
    this.#grow(v.length);
    this.#b.set(v, this.#len);
    this.#len += v.length;
  }

  putUvarintBytes(v: Uint8Array): void {
    this.putUvarint(v.length);
    this.putBytes(v);
  }

  putUvarintStr(s: string): void {
    this.putUvarintBytes(textEncoder.encode(s));
  }

  /** Overwrites 4 bytes at `pos` (e.g. a length written after the content). */
  setBE32(pos: number, v: number): void {
    this.#dv.setUint32(pos, v >>> 0);
  }

  /** Pads with zero bytes to a multiple of `align`. */
  alignTo(align: number): void {
    const pad = (align - (this.#len % align)) % align;
    this.#grow(pad);
    this.#b.fill(0, this.#len, this.#len + pad);
    this.#len += pad;
  }
}
