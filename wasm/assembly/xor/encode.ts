/**
 * @module wasm/assembly/xor/encode — the batch XOR encode kernel: many series' columns into one
 * chunk each, byte-identical to Prometheus's xorAppender. Exported through wasm/assembly/xor.ts.
 */
import { ERR_INPUT, ERR_OUTPUT, ERR_RANGE, MAX_SAFE, OK } from './common';

/** Upper bound of an encoded chunk's size for n samples (see encode). */
export function encodeBound(n: i32): i32 {
  // header 2, first t ≤ 10, first v 8, t-delta ≤ 10, later samples ≤ 68 + 77 bits < 19 bytes,
  // legacy padding byte 1, plus 8 for the writer's word flush.
  return 2 + 10 + 8 + 10 + n * 19 + 1 + 8;
}

// A big-endian bit writer over a u64 accumulator (globals: one chunk at a time).

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
