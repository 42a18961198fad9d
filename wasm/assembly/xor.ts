/**
 * @module wasm/assembly/xor — batch XOR chunk kernels (Prometheus tsdb/chunkenc XOR format):
 * `decode` turns many chunks into timestamp/value columns in one call, `encode` turns many
 * series' columns into chunks. GC-free (stub runtime), stateless between calls: the JS side
 * (core/chunkenc/wasm.ts) owns the layout of linear memory above `heapBase()`.
 *
 * Boundary rules: only i32/u32/f64 cross it (no i64); values move as raw 64-bit patterns so NaN
 * payloads (the stale marker) survive; every read is bounds-checked against memory.size() and
 * failures come back as negative status codes, never traps.
 */

// Status codes (mirrored in core/chunkenc/wasm.ts).
const OK: i32 = 0;
/** The chunk's bits ended before its sample count was reached. */
const ERR_TRUNCATED: i32 = -1;
/** Chunk shorter than the 2-byte header, or a (u)varint that overflows 64 bits or the chunk. */
const ERR_HEADER: i32 = -2;
/** A value window with leading + significant bits > 64. */
const ERR_WINDOW: i32 = -3;
/** Output region too small for the samples/bytes. */
const ERR_OUTPUT: i32 = -4;
/** A pointer/length outside linear memory (or without the read slack after it). */
const ERR_RANGE: i32 = -5;
/** encode: a timestamp that is not an integer in ±2^53, or more than 65535 samples. */
const ERR_INPUT: i32 = -6;
/**
 * A timestamp, t-delta or delta-of-delta outside ±(2^53-1): JS carries timestamps as numbers, so
 * such a chunk cannot be represented (and is corrupt in practice). Checking it also keeps this
 * decoder's int64 arithmetic and the TS decoder's float arithmetic in exact agreement.
 */
const ERR_TIMESTAMP: i32 = -7;

/**
 * Bytes the JS side keeps readable after the last input chunk. The decoder peeks 8 bytes at a
 * time and only checks the chunk end once per sample (at most 145 bits), so it may read up to
 * ~27 bytes past a chunk; those bits are never used unless the chunk is corrupt, then it fails.
 */
const SLACK: u64 = 32;

const MAX_SAFE: f64 = 9007199254740991.0;
const MAX_SAFE_I: i64 = 9007199254740991;

/** |x| > 2^53-1, in one unsigned compare (wrap-around of x + MAX lands above the bound too). */
// @ts-ignore: decorator
@inline
function unsafeInt(x: i64): bool {
  return <u64>(x + MAX_SAFE_I) > <u64>(MAX_SAFE_I * 2);
}

/** Where the JS side may start laying out its regions (end of static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of memory the decoder may read past an input chunk. */
export function readSlack(): i32 {
  return <i32>SLACK;
}

/** Upper bound of an encoded chunk's size for n samples (see encode). */
export function encodeBound(n: i32): i32 {
  // header 2, first t ≤ 10, first v 8, t-delta ≤ 10, later samples ≤ 68 + 77 bits < 19 bytes,
  // legacy padding byte 1, plus 8 for the writer's word flush.
  return 2 + 10 + 8 + 10 + n * 19 + 1 + 8;
}

// Samples written by the last decodeChunk (a global instead of a second return value).
let gCount: i32 = 0;

/** 64 bits starting at bit `pos` of the stream at `base`, left-aligned; >= 57 are meaningful. */
// @ts-ignore: decorator
@inline
function peek(base: usize, pos: u32): u64 {
  return bswap<u64>(load<u64>(base + <usize>(pos >>> 3))) << <u64>(pos & 7);
}

/** Clamps an f64 bound to i64 without trapping (±Inf, NaN, out of range). */
function toI64(x: f64, dflt: i64): i64 {
  if (x != x) return dflt;
  if (x <= -9.2e18) return i64.MIN_VALUE;
  if (x >= 9.2e18) return i64.MAX_VALUE;
  return <i64>x;
}

function decodeChunk(
  base: usize,
  len: u32,
  mint: i64,
  maxt: i64,
  outT: usize,
  outV: usize,
  cap: i32,
): i32 {
  gCount = 0;
  if (len < 2) return ERR_HEADER;
  const total = (<i32>load<u8>(base) << 8) | <i32>load<u8>(base, 1);
  if (total == 0) return OK;
  if (total > cap) return ERR_OUTPUT;
  const endBits: u32 = len << 3;
  let pos: u32 = 16;

  // Sample 0: zigzag varint t (byte-aligned), 64 raw bits of v.
  let ux: u64 = 0;
  for (let i: u32 = 0; ; i++) {
    if (i == 10 || (pos >>> 3) >= len) return ERR_HEADER;
    const b = <u64>load<u8>(base + <usize>(pos >>> 3));
    pos += 8;
    if (i == 9 && b > 1) return ERR_HEADER;
    ux |= (b & 0x7f) << (<u64>i * 7);
    if (b < 0x80) break;
  }
  let t: i64 = <i64>(ux >>> 1) ^ -(<i64>(ux & 1));
  if (unsafeInt(t)) return ERR_TIMESTAMP;
  if (pos + 64 > endBits) return ERR_TRUNCATED;
  let v: u64 = bswap<u64>(load<u64>(base + <usize>(pos >>> 3)));
  pos += 64;

  let n: i32 = 0;
  if (t > maxt) return OK;
  if (t >= mint) {
    store<f64>(outT, <f64>t);
    store<u64>(outV, v);
    n = 1;
  }
  if (total == 1) {
    gCount = n;
    return OK;
  }

  // Sample 1: uvarint t-delta (still byte-aligned), then the value.
  let udelta: u64 = 0;
  for (let i: u32 = 0; ; i++) {
    if (i == 10 || (pos >>> 3) >= len) return ERR_HEADER;
    const b = <u64>load<u8>(base + <usize>(pos >>> 3));
    pos += 8;
    if (i == 9 && b > 1) return ERR_HEADER;
    udelta |= (b & 0x7f) << (<u64>i * 7);
    if (b < 0x80) break;
  }
  let tDelta: i64 = <i64>udelta;
  if (unsafeInt(tDelta)) return ERR_TIMESTAMP;
  // Prometheus's reader starts with an empty window: '10' before any '11' reads 64 bits.
  let lead: u32 = 0;
  let trail: u32 = 0;
  let i: i32 = 1;
  let w: u64 = peek(base, pos);

  // Both sample 1 and the loop enter here with `w` peeked at the value bits (sample 1) or at
  // the timestamp bits (later samples).
  t += tDelta;
  while (true) {
    // Value: '0' same | '10' bits in the current window | '11' new window.
    if (<i64>w < 0) {
      if ((w & 0x4000000000000000) != 0) {
        lead = <u32>(w >>> 57) & 31;
        let mb = <u32>(w >>> 51) & 63;
        if (mb == 0) mb = 64;
        if (lead + mb > 64) return ERR_WINDOW;
        trail = 64 - lead - mb;
        pos += 13;
      } else {
        pos += 2;
      }
      const mb: u32 = 64 - lead - trail;
      let x: u64;
      if (mb <= 57) {
        x = peek(base, pos) >>> <u64>(64 - mb);
      } else {
        const hb: u32 = mb - 32;
        x = ((peek(base, pos) >>> <u64>(64 - hb)) << 32) | (peek(base, pos + hb) >>> 32);
      }
      v ^= x << <u64>trail;
      pos += mb;
    } else {
      pos += 1;
    }
    if (pos > endBits) return ERR_TRUNCATED;
    if (unsafeInt(t)) return ERR_TIMESTAMP;
    if (t > maxt) break;
    if (t >= mint) {
      const off = <usize>n << 3;
      store<f64>(outT + off, <f64>t);
      store<u64>(outV + off, v);
      n++;
    }
    if (++i == total) break;

    // Timestamp: delta-of-delta '0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64.
    w = peek(base, pos);
    if (<i64>w >= 0) {
      // The common case for regular scrapes: dod = 0, and the value bits follow in `w`.
      pos += 1;
      w <<= 1;
    } else {
      let dod: i64;
      if ((w & 0x4000000000000000) == 0) {
        const b = (w << 2) >>> 50;
        dod = b > 0x2000 ? <i64>b - 0x4000 : <i64>b;
        pos += 16;
      } else if ((w & 0x2000000000000000) == 0) {
        const b = (w << 3) >>> 47;
        dod = b > 0x10000 ? <i64>b - 0x20000 : <i64>b;
        pos += 20;
      } else if ((w & 0x1000000000000000) == 0) {
        const b = (w << 4) >>> 44;
        dod = b > 0x80000 ? <i64>b - 0x100000 : <i64>b;
        pos += 24;
      } else {
        pos += 4;
        dod = <i64>(((peek(base, pos) >>> 32) << 32) | (peek(base, pos + 32) >>> 32));
        pos += 64;
        if (unsafeInt(dod)) return ERR_TIMESTAMP;
      }
      tDelta += dod;
      if (unsafeInt(tDelta)) return ERR_TIMESTAMP;
      w = peek(base, pos);
    }
    t += tDelta;
  }
  gCount = n;
  return OK;
}

/**
 * Decodes `n` chunks described at `desc` (per chunk: u32 address, u32 length) into columns:
 * timestamps as f64 at `outT`, values as raw 64-bit patterns at `outV` (both `cap` slots),
 * keeping samples with mint <= t <= maxt. Writes `offsets` (n+1 u32: chunk i's samples are
 * [offsets[i], offsets[i+1])) and `status` (n i32: OK or an error code; a bad chunk yields no
 * samples and the rest still decode). Returns the total sample count, or the first error code.
 */
export function decode(
  desc: usize,
  n: i32,
  mint: f64,
  maxt: f64,
  outT: usize,
  outV: usize,
  cap: i32,
  offsets: usize,
  status: usize,
): i32 {
  const memEnd: u64 = <u64>memory.size() << 16;
  if (n < 0 || cap < 0) return ERR_RANGE;
  if (
    <u64>desc + (<u64>n << 3) > memEnd ||
    <u64>offsets + ((<u64>n + 1) << 2) > memEnd ||
    <u64>status + (<u64>n << 2) > memEnd ||
    <u64>outT + (<u64>cap << 3) > memEnd ||
    <u64>outV + (<u64>cap << 3) > memEnd
  ) {
    return ERR_RANGE;
  }
  const lo = toI64(mint, i64.MAX_VALUE);
  const hi = toI64(maxt, i64.MIN_VALUE);
  let k: i32 = 0;
  let firstErr: i32 = OK;
  for (let c: i32 = 0; c < n; c++) {
    store<u32>(offsets + (<usize>c << 2), <u32>k);
    const d = desc + (<usize>c << 3);
    const off = load<u32>(d);
    const len = load<u32>(d, 4);
    let st: i32;
    if (<u64>off + <u64>len + SLACK > memEnd || len > 0x0fffffff) {
      st = ERR_RANGE;
    } else {
      const ko = <usize>k << 3;
      st = decodeChunk(<usize>off, len, lo, hi, outT + ko, outV + ko, cap - k);
    }
    store<i32>(status + (<usize>c << 2), st);
    if (st == OK) k += gCount;
    else if (firstErr == OK) firstErr = st;
  }
  store<u32>(offsets + (<usize>n << 2), <u32>k);
  return firstErr != OK ? firstErr : k;
}

// ---- Encoder: a big-endian bit writer over a u64 accumulator (globals: one chunk at a time).

let wPtr: usize = 0;
let wAcc: u64 = 0;
let wBits: u32 = 0; // bits pending in wAcc (left-aligned)
let wTotal: u32 = 0; // bits written to the chunk so far
let wEndedByByte: bool = false;

/** Writes the low n (1..64) bits of x. */
function put(x: u64, n: u32): void {
  const free: u32 = 64 - wBits;
  if (n <= free) {
    wAcc |= x << <u64>(free - n);
    wBits += n;
    if (wBits == 64) {
      store<u64>(wPtr, bswap<u64>(wAcc));
      wPtr += 8;
      wAcc = 0;
      wBits = 0;
    }
  } else {
    const rest: u32 = n - free;
    wAcc |= x >>> <u64>rest;
    store<u64>(wPtr, bswap<u64>(wAcc));
    wPtr += 8;
    wAcc = x << <u64>(64 - rest);
    wBits = rest;
  }
  wTotal += n;
  // Prometheus 2.x's bstream ends a multiple-of-8 write with writeByte (see legacy padding).
  wEndedByByte = (n & 7) == 0;
}

function putUvarint(x: u64): void {
  while (x >= 0x80) {
    put((x & 0x7f) | 0x80, 8);
    x >>>= 7;
  }
  put(x, 8);
}

/** Flushes the pending bits; returns the chunk length in bytes. */
function finish(start: usize, legacyPadding: bool): u32 {
  let p = wPtr;
  let acc = wAcc;
  for (let b: u32 = 0; b < wBits; b += 8) {
    store<u8>(p, <u8>(acc >>> 56));
    p++;
    acc <<= 8;
  }
  let len = <u32>(p - start);
  if (legacyPadding && wEndedByByte && (wTotal & 7) == 0) {
    store<u8>(p, 0);
    len++;
  }
  return len;
}

let gErrIndex: i32 = -1;

/** Index of the series that made the last encode fail (-1 if none). */
export function encodeErrorIndex(): i32 {
  return gErrIndex;
}

function encodeOne(tPtr: usize, vPtr: usize, count: u32, legacyPadding: bool): i32 {
  if (count > 0xffff) return ERR_INPUT;
  wAcc = 0;
  wBits = 0;
  wTotal = 0;
  wEndedByByte = false;
  put(<u64>count, 16);
  wEndedByByte = false; // the header is not a bstream write
  let prevT: i64 = 0;
  let prevV: u64 = 0;
  let tDelta: i64 = 0;
  let lead: u32 = 0xff;
  let trail: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const tf = load<f64>(tPtr + (<usize>i << 3));
    if (!(tf == Math.floor(tf)) || Math.abs(tf) > MAX_SAFE) return ERR_INPUT;
    const t = <i64>tf;
    const v = load<u64>(vPtr + (<usize>i << 3));
    if (i == 0) {
      putUvarint(<u64>((t << 1) ^ (t >> 63)));
      put(v, 64);
    } else {
      const delta = t - prevT;
      if (i == 1) {
        putUvarint(<u64>delta);
      } else {
        const dod = delta - tDelta;
        if (dod == 0) {
          put(0, 1);
        } else if (dod >= -8191 && dod <= 8192) {
          put(0b10, 2);
          put(<u64>dod & 0x3fff, 14);
        } else if (dod >= -65535 && dod <= 65536) {
          put(0b110, 3);
          put(<u64>dod & 0x1ffff, 17);
        } else if (dod >= -524287 && dod <= 524288) {
          put(0b1110, 4);
          put(<u64>dod & 0xfffff, 20);
        } else {
          put(0b1111, 4);
          put(<u64>dod, 64);
        }
      }
      tDelta = delta;
      const x = v ^ prevV;
      if (x == 0) {
        put(0, 1);
      } else {
        let l = <u32>clz<u64>(x);
        const tr = <u32>ctz<u64>(x);
        if (l >= 32) l = 31;
        if (lead != 0xff && l >= lead && tr >= trail) {
          put(0b10, 2);
          put(x >>> <u64>trail, 64 - lead - trail);
        } else {
          lead = l;
          trail = tr;
          const sig: u32 = 64 - l - tr;
          put(0b11, 2);
          put(<u64>l, 5);
          put(<u64>(sig & 63), 6);
          put(x >>> <u64>tr, sig);
        }
      }
    }
    prevT = t;
    prevV = v;
  }
  return OK;
}

/**
 * Encodes `n` series described at `desc` (per series: u32 address of f64 timestamps, u32 address
 * of 64-bit value patterns, u32 sample count) into one chunk each, written back to back from
 * `out` (`outCap` bytes). Per chunk, writes (u32 address, u32 length) to `outDesc`.
 * `flags` bit 0: reproduce Prometheus 2.x's trailing padding byte. Returns the bytes written or
 * an error code (encodeErrorIndex() names the series).
 */
export function encode(desc: usize, n: i32, out: usize, outCap: i32, outDesc: usize, flags: i32): i32 {
  gErrIndex = -1;
  const memEnd: u64 = <u64>memory.size() << 16;
  if (n < 0 || outCap < 0) return ERR_RANGE;
  if (
    <u64>desc + <u64>n * 12 > memEnd ||
    <u64>outDesc + (<u64>n << 3) > memEnd ||
    <u64>out + <u64>outCap > memEnd
  ) {
    return ERR_RANGE;
  }
  const legacy = (flags & 1) != 0;
  const outEnd: u64 = <u64>out + <u64>outCap;
  let p: usize = out;
  for (let s: i32 = 0; s < n; s++) {
    const d = desc + <usize>s * 12;
    const tPtr = load<u32>(d);
    const vPtr = load<u32>(d, 4);
    const count = load<u32>(d, 8);
    let st: i32 = OK;
    if (<u64>tPtr + (<u64>count << 3) > memEnd || <u64>vPtr + (<u64>count << 3) > memEnd) {
      st = ERR_RANGE;
    } else if (count > 0xffff) {
      st = ERR_INPUT;
    } else if (<u64>p + <u64>encodeBound(<i32>count) > outEnd) {
      st = ERR_OUTPUT;
    } else {
      wPtr = p;
      st = encodeOne(<usize>tPtr, <usize>vPtr, count, legacy);
    }
    if (st != OK) {
      gErrIndex = s;
      return st;
    }
    // The count was written into the first 16 bits up front.
    const len = finish(p, legacy);
    const od = outDesc + (<usize>s << 3);
    store<u32>(od, <u32>p);
    store<u32>(od, len, 4);
    p += <usize>len;
  }
  return <i32>(p - out);
}
