/**
 * @module core/chunkenc/xor — Prometheus's XOR (Gorilla) float chunk, encode and reference decode,
 * bit-exact with prometheus/tsdb/chunkenc/xor.go (format: tsdb/docs/format/chunks.md).
 *
 * Layout: 2-byte big-endian sample count; sample 0: t as zigzag varint, v as 64 raw bits;
 * sample 1: t-delta as uvarint, v as XOR delta; sample n>1: delta-of-delta in buckets
 * '0' | '10'+14 bits | '110'+17 | '1110'+20 | '1111'+64, then the XOR delta:
 * '0' (same bits) | '10' + bits inside the previous leading/trailing-zero window |
 * '11' + 5-bit leading zeros + 6-bit significant-bit count (64 stored as 0) + the bits.
 *
 * Timestamps are int64 ms in Prometheus; here they are JS numbers (safe integers). Values travel
 * as two uint32 words so every NaN payload (the stale marker) survives bit-exactly. This decoder
 * is the readable reference; the batch WASM kernel (wasm/assembly/xor.ts) must agree with it.
 */
import { CorruptBlockError } from '../errors.ts';
import { LITTLE_ENDIAN, u32View } from './stale.ts';

/** Chunk encoding byte for XOR in a chunk segment (chunkenc.EncXOR). */
export const ENCODING_XOR = 1;

/** The sample count is a uint16 in the chunk header. */
export const XOR_MAX_SAMPLES = 0xffff;

const TWO_32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// Which uint32 of a float64 in memory holds the low word.
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

const scratch = new DataView(new ArrayBuffer(8));

/** Bucket limits for delta-of-delta: bitRange(x, n) is -(2^(n-1)-1) <= x <= 2^(n-1). */
function bitRange(x: number, nbits: number): boolean {
  const half = 2 ** (nbits - 1);
  return -(half - 1) <= x && x <= half;
}

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

export interface XorAppenderOptions {
  /**
   * Reproduce the trailing zero byte that Prometheus's bstream.writeByte left after a write that
   * ended byte-aligned with a whole byte (fixed upstream in prometheus#14854, Prometheus 3.0).
   * Default true: chunks are then byte-identical to Prometheus 2.x's. Decoders ignore it either way.
   */
  readonly legacyPadding?: boolean;
  /**
   * Bytes the chunk starts with (default 128, most of a 120-sample chunk); it doubles as it fills.
   * 64 or less is kept on V8's heap, with no backing store to allocate: cheaper for a head that
   * opens a chunk for every new series and closes many of them small.
   */
  readonly initialBytes?: number;
}

/** Appends samples to one XOR chunk (xorAppender). Timestamps must be safe integers. */
export class XorAppender {
  #buf: Uint8Array;
  #pos = 16; // bit position; the first 16 bits are the sample count
  #endedByByte = false; // last write was a whole-byte write (see legacyPadding)
  #num = 0;
  #t = 0;
  #tDelta = 0;
  #vHi = 0;
  #vLo = 0;
  #leading = 0xff; // 0xff: no window yet
  #trailing = 0;
  readonly #legacyPadding: boolean;

  constructor(options: XorAppenderOptions = {}) {
    this.#legacyPadding = options.legacyPadding ?? true;
    this.#buf = new Uint8Array(Math.max(16, options.initialBytes ?? 128));
  }

  get numSamples(): number {
    return this.#num;
  }

  /** Appends (t, v); v's bits (any NaN payload) are kept as given. */
  append(t: number, v: number): void {
    scratch.setFloat64(0, v);
    this.appendBits(t, scratch.getUint32(0), scratch.getUint32(4));
  }

  /** Appends (t, v) with v given as its high and low 32 bits. */
  appendBits(t: number, hi: number, lo: number): void {
    if (this.#num === XOR_MAX_SAMPLES)
      throw new RangeError('xor chunk: sample count overflows uint16');
    if (!Number.isSafeInteger(t))
      throw new RangeError(`xor chunk: timestamp ${t} is not a safe integer`);
    hi >>>= 0;
    lo >>>= 0;
    if (this.#num === 0) {
      this.#writeUvarint(...zigzag(t));
      this.#writeBits64(hi, lo, 64);
    } else if (this.#num === 1) {
      const tDelta = t - this.#t;
      this.#writeUvarint(...split64(tDelta));
      this.#writeVDelta(hi, lo);
      this.#tDelta = tDelta;
    } else {
      const tDelta = t - this.#t;
      const dod = tDelta - this.#tDelta;
      if (dod === 0) {
        this.#writeBit(0);
      } else if (bitRange(dod, 14)) {
        this.#writeBits(0b10, 2);
        this.#writeBits(dod & 0x3fff, 14);
      } else if (bitRange(dod, 17)) {
        this.#writeBits(0b110, 3);
        this.#writeBits(dod & 0x1ffff, 17);
      } else if (bitRange(dod, 20)) {
        this.#writeBits(0b1110, 4);
        this.#writeBits(dod & 0xfffff, 20);
      } else {
        this.#writeBits(0b1111, 4);
        const [dh, dl] = split64(dod);
        this.#writeBits64(dh, dl, 64);
      }
      this.#writeVDelta(hi, lo);
      this.#tDelta = tDelta;
    }
    this.#t = t;
    this.#vHi = hi;
    this.#vLo = lo;
    this.#num++;
    this.#buf[0] = this.#num >>> 8;
    this.#buf[1] = this.#num & 0xff;
  }

  /** The chunk data as stored in a segment (starting with the count); a copy. */
  bytes(): Uint8Array {
    let len = (this.#pos + 7) >>> 3;
    if (this.#legacyPadding && this.#endedByByte && (this.#pos & 7) === 0) len++;
    return this.#buf.slice(0, len);
  }

  #writeVDelta(hi: number, lo: number): void {
    const xh = (hi ^ this.#vHi) >>> 0;
    const xl = (lo ^ this.#vLo) >>> 0;
    if (xh === 0 && xl === 0) {
      this.#writeBit(0);
      return;
    }
    this.#writeBit(1);
    let leading = clz64(xh, xl);
    const trailing = ctz64(xh, xl);
    // 5 bits hold at most 31 leading zeros.
    if (leading >= 32) leading = 31;
    if (this.#leading !== 0xff && leading >= this.#leading && trailing >= this.#trailing) {
      this.#writeBit(0);
      const sig = 64 - this.#leading - this.#trailing;
      const [sh, sl] = shr64(xh, xl, this.#trailing);
      this.#writeBits64(sh, sl, sig);
      return;
    }
    this.#leading = leading;
    this.#trailing = trailing;
    this.#writeBit(1);
    this.#writeBits(leading, 5);
    const sig = 64 - leading - trailing;
    this.#writeBits(sig & 63, 6);
    const [sh, sl] = shr64(xh, xl, trailing);
    this.#writeBits64(sh, sl, sig);
  }

  #writeUvarint(hi: number, lo: number): void {
    while (hi !== 0 || lo >= 0x80) {
      this.#writeBits((lo & 0x7f) | 0x80, 8);
      lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
      hi = hi >>> 7;
    }
    this.#writeBits(lo, 8);
  }

  #writeBit(bit: number): void {
    this.#ensure(1);
    if (bit) this.#buf[this.#pos >>> 3]! |= 0x80 >>> (this.#pos & 7);
    this.#pos++;
    this.#endedByByte = false;
  }

  /** Writes the low n (1..64) bits of hi:lo. */
  #writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.#writeBits(hi, n - 32);
      this.#writeBits(lo, 32);
    } else {
      this.#writeBits(lo, n);
    }
    // bstream.writeBits ends with writeByte calls exactly when n is a multiple of 8.
    this.#endedByByte = n % 8 === 0;
  }

  /** Writes the low n (1..32) bits of u, most significant first. */
  #writeBits(u: number, n: number): void {
    this.#ensure(n);
    const buf = this.#buf;
    this.#endedByByte = n % 8 === 0;
    let pos = this.#pos;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = free < n ? free : n;
      const bits = (u >>> (n - take)) & ((1 << take) - 1);
      buf[pos >>> 3]! |= bits << (free - take);
      pos += take;
      n -= take;
    }
    this.#pos = pos;
  }

  #ensure(nbits: number): void {
    // One spare byte for the legacy padding byte.
    const need = ((this.#pos + nbits + 7) >>> 3) + 1;
    if (need <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(need, this.#buf.length * 2));
    next.set(this.#buf);
    this.#buf = next;
  }
}

/** Splits a safe integer into int64 two's-complement words [hi, lo] (both as uint32). */
function split64(x: number): [number, number] {
  const hi = Math.floor(x / TWO_32);
  return [hi >>> 0, (x - hi * TWO_32) >>> 0];
}

/** Zigzag of an int64 (binary.PutVarint), as uint64 words [hi, lo]. */
function zigzag(x: number): [number, number] {
  const [hi, lo] = split64(x);
  const sign = (hi | 0) >> 31;
  return [(((hi << 1) | (lo >>> 31)) ^ sign) >>> 0, ((lo << 1) ^ sign) >>> 0];
}

function shr64(hi: number, lo: number, s: number): [number, number] {
  if (s === 0) return [hi, lo];
  if (s < 32) return [hi >>> s, ((lo >>> s) | (hi << (32 - s))) >>> 0];
  return [0, hi >>> (s - 32)];
}

/** Number of samples in an XOR chunk (its uint16 header). */
export function xorSampleCount(chunk: Uint8Array): number {
  if (chunk.length < 2) throw corrupt('chunk shorter than its 2-byte header');
  return (chunk[0]! << 8) | chunk[1]!;
}

function corrupt(msg: string): CorruptBlockError {
  return new CorruptBlockError(`xor chunk: ${msg}`, {});
}

/**
 * Big-endian bit reader over one chunk with a sticky error: reads past the end return 0 and set
 * `eof`, checked once per sample. One module-level instance (decoding never re-enters).
 */
class BitReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  eof = false;

  reset(buf: Uint8Array, pos: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = buf.length * 8;
    this.eof = false;
  }

  bit(): number {
    const p = this.pos;
    if (p >= this.end) {
      this.eof = true;
      return 0;
    }
    this.pos = p + 1;
    return (this.buf[p >>> 3]! >>> (7 - (p & 7))) & 1;
  }

  /** n in 1..32; returns a uint32. */
  bits(n: number): number {
    const p = this.pos;
    if (p + n > this.end) {
      this.eof = true;
      this.pos = this.end;
      return 0;
    }
    this.pos = p + n;
    const b = this.buf;
    const i = p >>> 3;
    const off = p & 7;
    const len = b.length;
    // Gather 40 bits starting at byte i (missing bytes past the end read as 0).
    const w =
      ((b[i]! << 24) |
        ((i + 1 < len ? b[i + 1]! : 0) << 16) |
        ((i + 2 < len ? b[i + 2]! : 0) << 8) |
        (i + 3 < len ? b[i + 3]! : 0)) >>>
      0;
    const x = off === 0 ? w : ((w << off) | ((i + 4 < len ? b[i + 4]! : 0) >>> (8 - off))) >>> 0;
    return n === 32 ? x : x >>> (32 - n);
  }

  /** Go's binary.ReadUvarint over byte reads; [hi, lo] or eof on overflow/truncation. */
  uvarint(): [number, number] {
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < 10; i++) {
      const byte = this.bits(8);
      if (this.eof) return [0, 0];
      if (i === 9 && byte > 1) break; // overflows uint64
      const payload = byte & 0x7f;
      const s = 7 * i;
      if (s < 32) {
        lo = (lo | (payload << s)) >>> 0;
        if (s > 25) hi = (hi | (payload >>> (32 - s))) >>> 0;
      } else {
        hi = (hi | (payload << (s - 32))) >>> 0;
      }
      if (byte < 0x80) return [hi, lo];
    }
    this.eof = true;
    return [0, 0];
  }
}

const reader = new BitReader();

/**
 * Decodes the samples of `chunk` with mint <= t <= maxt into outT/outV from index `at`; returns
 * how many were written. outT/outV need room for xorSampleCount(chunk) samples from `at`.
 * Values are written as raw bits (NaN payloads kept). Stops at the first t > maxt; with
 * mint > maxt returns 0 without reading the chunk.
 * Throws CorruptBlockError on malformed input.
 */
export function decodeXor(
  chunk: Uint8Array,
  mint: number,
  maxt: number,
  outT: Float64Array,
  outV: Float64Array,
  at: number,
): number {
  // An empty range (or a NaN bound) selects nothing; the chunk is not read (as the WASM kernel).
  if (!(mint <= maxt)) return 0;
  const total = xorSampleCount(chunk);
  if (total === 0) return 0;
  if (at < 0 || at + total > outT.length || at + total > outV.length) {
    throw new RangeError(`decodeXor: output needs room for ${total} samples at ${at}`);
  }
  const words = u32View(outV.buffer);
  const wbase = outV.byteOffset >>> 2;
  const r = reader;
  r.reset(chunk, 16);

  // Sample 0.
  const [zh, zl] = r.uvarint();
  const sign = -(zl & 1);
  let t = (((zh >>> 1) ^ sign) | 0) * TWO_32 + ((((zl >>> 1) | (zh << 31)) ^ sign) >>> 0);
  let vHi = r.bits(32);
  let vLo = r.bits(32);
  if (r.eof) throw corrupt('truncated in sample 0');
  // Timestamps, deltas and deltas-of-deltas must stay within ±(2^53-1): numbers carry them exactly
  // there, and the WASM kernel's int64 arithmetic then agrees with this one bit for bit.
  if (!(t >= -MAX_SAFE && t <= MAX_SAFE)) throw corrupt(`timestamp ${t} outside ±2^53`);
  let tDelta = 0;
  let leading = 0;
  let trailing = 0;
  let n = 0;

  for (let i = 0; ;) {
    if (t > maxt) break;
    if (t >= mint) {
      const k = at + n;
      outT[k] = t;
      const w = wbase + 2 * k;
      words[w + LO] = vLo;
      words[w + HI] = vHi;
      n++;
    }
    if (++i === total) break;

    // Timestamp.
    if (i === 1) {
      const [dh, dl] = r.uvarint();
      tDelta = (dh | 0) * TWO_32 + dl;
      if (!(tDelta >= -MAX_SAFE && tDelta <= MAX_SAFE))
        throw corrupt(`t-delta outside ±2^53 in sample ${i}`);
    } else if (r.bit() !== 0) {
      let sz: number;
      if (r.bit() === 0) sz = 14;
      else if (r.bit() === 0) sz = 17;
      else if (r.bit() === 0) sz = 20;
      else sz = 64;
      let dod: number;
      if (sz === 64) {
        const hi = r.bits(32);
        dod = (hi | 0) * TWO_32 + r.bits(32);
        if (!(dod >= -MAX_SAFE && dod <= MAX_SAFE))
          throw corrupt(`delta-of-delta outside ±2^53 in sample ${i}`);
      } else {
        dod = r.bits(sz);
        if (dod > 2 ** (sz - 1)) dod -= 2 ** sz;
      }
      tDelta += dod;
      if (!(tDelta >= -MAX_SAFE && tDelta <= MAX_SAFE))
        throw corrupt(`t-delta outside ±2^53 in sample ${i}`);
    }
    t += tDelta;

    // Value.
    if (r.bit() !== 0) {
      if (r.bit() !== 0) {
        leading = r.bits(5);
        let mbits = r.bits(6);
        if (mbits === 0) mbits = 64;
        trailing = 64 - leading - mbits;
        if (trailing < 0) throw corrupt(`window of ${leading}+${mbits} bits in sample ${i}`);
      }
      const mbits = 64 - leading - trailing;
      let xh = 0;
      let xl: number;
      if (mbits > 32) {
        xh = r.bits(mbits - 32);
        xl = r.bits(32);
      } else {
        xl = r.bits(mbits);
      }
      // Shift the significant bits back into place.
      if (trailing >= 32) {
        xh = xl << (trailing - 32);
        xl = 0;
      } else if (trailing > 0) {
        xh = (xh << trailing) | (xl >>> (32 - trailing));
        xl = xl << trailing;
      }
      vHi = (vHi ^ xh) >>> 0;
      vLo = (vLo ^ xl) >>> 0;
    }
    if (r.eof) throw corrupt(`truncated in sample ${i} of ${total}`);
    if (!(t >= -MAX_SAFE && t <= MAX_SAFE)) throw corrupt(`timestamp outside ±2^53 in sample ${i}`);
  }
  return n;
}
