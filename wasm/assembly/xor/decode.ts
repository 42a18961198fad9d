/**
 * @module wasm/assembly/xor/decode — the batch XOR decode kernel: many chunks per call into
 * timestamp/value columns, over a byte-reversed input region (see peek). Exported through
 * wasm/assembly/xor.ts.
 */
import {
  ERR_HEADER,
  ERR_OUTPUT,
  ERR_RANGE,
  ERR_TIMESTAMP,
  ERR_TRUNCATED,
  ERR_WINDOW,
  FALLBACK,
  FAST_MAX_DELTA,
  MAX_SAFE,
  MAX_SAFE_I,
  OK,
  unsafeInt,
} from './common';

/**
 * The optimistic pass checks a chunk's end only after its last sample, so a corrupt chunk may
 * make it read past the end: at most 65535 samples of <= 145 bits plus a 64-bit header and an
 * 8-byte peek, i.e. below 1.2 MB under the chunk's (reversed) address. It only runs for chunks
 * at addresses >= this, so such reads stay inside memory; the JS side places its input there.
 */
export const OPTIMISTIC_GUARD: usize = 1280 << 10;

/**
 * Bytes the JS side keeps after the last input chunk, inside the input region. The checked
 * decoder peeks 8 bytes at a time and checks the chunk end once per sample (at most 145 bits), so
 * it may read up to ~35 bytes past a chunk; those bits are never used unless the chunk is
 * corrupt, and then it fails. (The optimistic pass relies on OPTIMISTIC_GUARD instead.)
 */
export const SLACK: u64 = 48;

// Samples written by the last decodeChunk (a global instead of a second return value).
let gCount: i32 = 0;

/**
 * 64 bits starting at bit `pos` of a chunk, left-aligned; >= 57 of them are meaningful.
 *
 * The input region is byte-reversed in place before decoding (SIMD, ~0.1 cycle/byte), so a
 * plain little-endian load yields the big-endian bit stream and no byte swap is needed per read
 * (WASM has no bswap instruction; AssemblyScript's bswap<u64> is a dozen shifts and masks).
 * `e` is the chunk's "end" address: byte i of the chunk lives at e + 7 - i.
 */
// @ts-ignore: decorator
@inline
function peek(e: usize, pos: u32): u64 {
  return load<u64>(e - <usize>(pos >>> 3)) << <u64>(pos & 7);
}

/** Byte i of a reversed chunk. */
// @ts-ignore: decorator
@inline
function byteAt(e: usize, i: u32): u32 {
  return <u32>load<u8>(e + 7 - <usize>i);
}

/** Reverses [start, start+len) in place, 16 bytes at a time from both ends. */
function reverseBytes(start: usize, len: usize): void {
  const rev = i8x16(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  let a = start;
  let b = start + len;
  while (b - a >= 32) {
    b -= 16;
    const x = v128.load(a);
    const y = v128.load(b);
    v128.store(a, i8x16.swizzle(y, rev));
    v128.store(b, i8x16.swizzle(x, rev));
    a += 16;
  }
  while (b - a > 1) {
    b--;
    const x = load<u8>(a);
    store<u8>(a, load<u8>(b));
    store<u8>(b, x);
    a++;
  }
}

/** Clamps an f64 bound to i64 without trapping (±Inf, NaN, out of range). */
function toI64(x: f64, dflt: i64): i64 {
  if (x != x) return dflt;
  if (x <= -9.2e18) return i64.MIN_VALUE;
  if (x >= 9.2e18) return i64.MAX_VALUE;
  return <i64>x;
}

/**
 * Decodes one chunk. Two instantiations of one body, chosen by the type that carries t:
 *   decodeLoop<i64> — checked: the exact semantics of decodeXor (core/chunkenc/xor.ts): emit
 *     samples in [lo, hi], stop at the first t > hi, report every malformation before that.
 *   decodeLoop<f64> — optimistic: emits every sample with no per-sample range or safety check,
 *     and gives up (FALLBACK) unless timestamps strictly increase by deltas below 2^40 and the
 *     whole chunk is well-formed. Then the samples are sorted and safe, so clipping afterwards
 *     (clip()) gives exactly the checked result. Keeping t and its delta in f64 (exact below
 *     2^53) moves them to FP registers, which keeps V8 from spilling the loop's integers.
 * `if (isInteger<T>())` branches are resolved at compile time.
 */
function decodeLoop<T>(
  e: usize,
  len: u32,
  lo: i64,
  hi: i64,
  outT: usize,
  outV: usize,
  cap: i32,
): i32 {
  gCount = 0;
  if (len < 2) return ERR_HEADER;
  const total = <i32>((byteAt(e, 0) << 8) | byteAt(e, 1));
  if (total == 0) return OK;
  if (total > cap) return ERR_OUTPUT;
  const endBits: u32 = len << 3;
  let pos: u32 = 16;

  // Sample 0: zigzag varint t (byte-aligned), 64 raw bits of v.
  let ux: u64 = 0;
  for (let i: u32 = 0; ; i++) {
    if (i == 10 || (pos >>> 3) >= len) return ERR_HEADER;
    const b = <u64>byteAt(e, pos >>> 3);
    pos += 8;
    if (i == 9 && b > 1) return ERR_HEADER;
    ux |= (b & 0x7f) << (<u64>i * 7);
    if (b < 0x80) break;
  }
  const t0: i64 = <i64>(ux >>> 1) ^ -(<i64>(ux & 1));
  if (unsafeInt(t0)) return ERR_TIMESTAMP;
  if (pos + 64 > endBits) return ERR_TRUNCATED;
  let v: u64 = peek(e, pos);
  pos += 64;

  let pT = outT;
  let pV = outV;
  if (isInteger<T>()) {
    if (t0 > hi) return OK;
    if (t0 >= lo) {
      store<f64>(pT, <f64>t0);
      store<u64>(pV, v);
      pT += 8;
      pV += 8;
    }
  } else {
    store<f64>(pT, <f64>t0);
    store<u64>(pV, v);
    pT += 8;
    pV += 8;
  }
  if (total == 1) {
    gCount = <i32>((pT - outT) >>> 3);
    return OK;
  }

  // Sample 1: uvarint t-delta (still byte-aligned), then the value.
  let udelta: u64 = 0;
  for (let i: u32 = 0; ; i++) {
    if (i == 10 || (pos >>> 3) >= len) return ERR_HEADER;
    const b = <u64>byteAt(e, pos >>> 3);
    pos += 8;
    if (i == 9 && b > 1) return ERR_HEADER;
    udelta |= (b & 0x7f) << (<u64>i * 7);
    if (b < 0x80) break;
  }
  if (unsafeInt(<i64>udelta)) return ERR_TIMESTAMP;
  if (!isInteger<T>()) {
    if (<i64>udelta <= 0 || <i64>udelta >= FAST_MAX_DELTA) return FALLBACK;
  }
  let t: T = <T>t0;
  let tDelta: T = <T>(<i64>udelta);
  // Prometheus's reader starts with an empty window: '10' before any '11' reads 64 bits.
  let trail: u64 = 0;
  let mb: u32 = 64; // significant bits of the current window: 64 - leading - trailing
  let left: i32 = total - 1; // samples still to decode
  // `span` makes the [lo, hi] test one unsigned compare (lo <= hi is checked by the caller).
  const span: u64 = <u64>(hi - lo);

  // `w` holds the stream at `pos`, left-aligned, with >= 57 meaningful bits. Sample 1 has no
  // delta-of-delta: it enters the loop with a synthetic '0' (dod = 0) in front of its value
  // bits, and t advances by the first delta like any dod = 0 sample.
  let w: u64 = peek(e, pos) >>> 1;
  pos -= 1;

  while (true) {
    if (w < 0x0400000000000000) {
      // Three or more '00' pairs: dod = 0 and the value unchanged, the steady state of a
      // constant gauge. Emit the whole run of pairs in w (at most 28 fit in 57 bits) at once.
      // Padding and the zeroed slack read as '00' too: never run past the chunk's bits.
      // Every sample needs >= 2 bits, so with fewer left the chunk is truncated.
      let r = <i32>(<u32>clz<u64>(w) >>> 1);
      if (r > 28) r = 28;
      if (r > left) r = left;
      if (isInteger<T>()) {
        const avail = <i32>((endBits - pos) >>> 1);
        if (r > avail) r = avail;
        if (r == 0) return ERR_TRUNCATED;
      }
      pos += <u32>r << 1;
      left -= r;
      if (isInteger<T>()) {
        const ti = <i64>t;
        const di = <i64>tDelta;
        const last = ti + di * <i64>r;
        if (di >= 0 && <u64>(ti + di - lo) <= span && <u64>(last - lo) <= span) {
          // All inside [lo, hi] (t only grows): no per-sample checks; doubles are exact here.
          const f = <f64>di;
          let tf = <f64>ti;
          for (let j = 0; j < r; j++) {
            tf += f;
            store<f64>(pT, tf);
            store<u64>(pV, v);
            pT += 8;
            pV += 8;
          }
          t = <T>last;
        } else {
          let stop = false;
          let tc = ti;
          for (let j = 0; j < r; j++) {
            tc += di;
            if (<u64>(tc - lo) <= span) {
              store<f64>(pT, <f64>tc);
              store<u64>(pV, v);
              pT += 8;
              pV += 8;
            } else {
              if (unsafeInt(tc)) return ERR_TIMESTAMP;
              if (tc >= lo) {
                // Outside [lo, hi] but not below lo: above hi.
                stop = true;
                break;
              }
            }
          }
          t = <T>tc;
          if (stop) break;
        }
      } else {
        for (let j = 0; j < r; j++) {
          t += tDelta;
          store<f64>(pT, <f64>t);
          store<u64>(pV, v);
          pT += 8;
          pV += 8;
        }
      }
      if (left == 0) break;
      w = peek(e, pos);
      continue;
    }

    if (w < 0x6000000000000000 && mb <= 54) {
      // dod = 0 and the value either unchanged ('0') or inside the current window ('10'):
      // most samples of counters and gauges. Branch-free between the two, as they alternate
      // unpredictably. After the 3 control bits 54 meaningful bits remain.
      const changed: u64 = (w >>> 62) & 1;
      const mask: u64 = 0 - changed;
      t += tDelta;
      v ^= (((w << 3) >>> <u64>(64 - mb)) << trail) & mask;
      pos += 2 + ((mb + 1) & <u32>mask);
    } else if (w >= 0x6000000000000000 && w < 0x8000000000000000) {
      // '0' + '11': dod = 0 and a new value window (5 bits leading zeros, 6 bits length).
      const lead = <u32>(w >>> 56) & 31;
      let m = <u32>(w >>> 50) & 63;
      if (m == 0) m = 64;
      if (lead + m > 64) return ERR_WINDOW;
      mb = m;
      trail = <u64>(64 - lead - m);
      t += tDelta;
      let x: u64;
      if (m <= 43) {
        // 14 control bits + m <= 57 meaningful bits.
        x = (w << 14) >>> <u64>(64 - m);
      } else {
        const p = pos + 14;
        const hb: u32 = m - 32;
        x = ((peek(e, p) >>> <u64>(64 - hb)) << 32) | (peek(e, p + hb) >>> 32);
      }
      v ^= x << trail;
      pos += 14 + m;
    } else {
      // Timestamp: delta-of-delta '0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64.
      if (<i64>w >= 0) {
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
          dod = <i64>(((peek(e, pos) >>> 32) << 32) | (peek(e, pos + 32) >>> 32));
          pos += 64;
          if (unsafeInt(dod)) return ERR_TIMESTAMP;
        }
        if (isInteger<T>()) {
          const nd = <i64>tDelta + dod;
          if (unsafeInt(nd)) return ERR_TIMESTAMP;
          tDelta = <T>nd;
        } else {
          // |tDelta| < 2^40 and |dod| <= 2^53 - 1: the f64 sum is exact unless it leaves the
          // fast range, which is then rejected anyway.
          tDelta += <T>dod;
          if (tDelta <= 0 || tDelta >= <T>FAST_MAX_DELTA) return FALLBACK;
        }
        w = peek(e, pos);
      }
      t += tDelta;

      // Value: '0' same | '10' bits in the current window | '11' new window. Here `w` has
      // >= 56 meaningful bits.
      if (<i64>w < 0) {
        if ((w & 0x4000000000000000) == 0) {
          pos += 2;
          w <<= 2;
        } else {
          const lead = <u32>(w >>> 57) & 31;
          let m = <u32>(w >>> 51) & 63;
          if (m == 0) m = 64;
          if (lead + m > 64) return ERR_WINDOW;
          mb = m;
          trail = <u64>(64 - lead - m);
          pos += 13;
          w = peek(e, pos);
        }
        let x: u64;
        if (mb <= 54) {
          x = w >>> <u64>(64 - mb);
        } else {
          const hb: u32 = mb - 32;
          x = ((peek(e, pos) >>> <u64>(64 - hb)) << 32) | (peek(e, pos + hb) >>> 32);
        }
        v ^= x << trail;
        pos += mb;
      } else {
        pos += 1;
      }
    }
    if (isInteger<T>()) {
      if (pos > endBits) return ERR_TRUNCATED;
      const ti = <i64>t;
      if (<u64>(ti - lo) <= span) {
        store<f64>(pT, <f64>ti);
        store<u64>(pV, v);
        pT += 8;
        pV += 8;
      } else {
        if (unsafeInt(ti)) return ERR_TIMESTAMP;
        // Outside [lo, hi] but not below lo: above hi.
        if (ti >= lo) break;
      }
    } else {
      store<f64>(pT, <f64>t);
      store<u64>(pV, v);
      pT += 8;
      pV += 8;
    }
    if (--left == 0) break;
    w = peek(e, pos);
  }
  if (!isInteger<T>()) {
    // t only grew, so the last one bounds them all. The end of the chunk is checked once here
    // instead of per sample: over-reads stay inside memory (see OPTIMISTIC_GUARD).
    if (<f64>t > MAX_SAFE || pos > endBits) return FALLBACK;
  }
  gCount = <i32>((pT - outT) >>> 3);
  return OK;
}

/** Narrows the gCount sorted samples at outT/outV to those in [lo, hi], moved to the front. */
function clip(outT: usize, outV: usize, lo: i64, hi: i64): void {
  const n = gCount;
  const lof = <f64>lo; // exact: |lo|, |hi| <= 2^53 - 1
  const hif = <f64>hi;
  if (load<f64>(outT) >= lof && load<f64>(outT + (<usize>(n - 1) << 3)) <= hif) return;
  // First index with t >= lo, first index with t > hi.
  let a = 0;
  let b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (load<f64>(outT + (<usize>m << 3)) < lof) a = m + 1;
    else b = m;
  }
  const from = a;
  b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (load<f64>(outT + (<usize>m << 3)) <= hif) a = m + 1;
    else b = m;
  }
  const count = a - from;
  if (from > 0 && count > 0) {
    memory.copy(outT, outT + (<usize>from << 3), <usize>count << 3);
    memory.copy(outV, outV + (<usize>from << 3), <usize>count << 3);
  }
  gCount = count;
}

function decodeChunk(e: usize, len: u32, lo: i64, hi: i64, outT: usize, outV: usize, cap: i32): i32 {
  // Any surprise in the optimistic pass (including a malformed chunk) reruns the checked one,
  // which is then the single source of errors and of results for unusual chunks.
  if (e >= OPTIMISTIC_GUARD && decodeLoop<f64>(e, len, lo, hi, outT, outV, cap) == OK) {
    if (gCount > 0) clip(outT, outV, lo, hi);
    return OK;
  }
  return decodeLoop<i64>(e, len, lo, hi, outT, outV, cap);
}

/**
 * Decodes `n` chunks described at `desc` (per chunk: u32 address, u32 length; every chunk inside
 * the input region [inPtr, inPtr+inLen), which ends with readSlack() bytes after the last chunk
 * and is byte-reversed in place by this call) into columns:
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
  inPtr: usize,
  inLen: usize,
): i32 {
  const memEnd: u64 = <u64>memory.size() << 16;
  if (n < 0 || cap < 0) return ERR_RANGE;
  const inEnd: u64 = <u64>inPtr + <u64>inLen;
  if (
    inEnd > memEnd ||
    <u64>desc + (<u64>n << 3) > memEnd ||
    <u64>offsets + ((<u64>n + 1) << 2) > memEnd ||
    <u64>status + (<u64>n << 2) > memEnd ||
    <u64>outT + (<u64>cap << 3) > memEnd ||
    <u64>outV + (<u64>cap << 3) > memEnd
  ) {
    return ERR_RANGE;
  }
  // Clamped to the safe range so that a sample inside [lo, hi] needs no separate safety check.
  let lo = toI64(mint, i64.MAX_VALUE);
  let hi = toI64(maxt, i64.MIN_VALUE);
  if (lo < -MAX_SAFE_I) lo = -MAX_SAFE_I;
  if (hi > MAX_SAFE_I) hi = MAX_SAFE_I;
  if (lo > hi) {
    // An empty range (or NaN bound) selects nothing; chunks are not even read (as decodeXor).
    for (let c: i32 = 0; c <= n; c++) store<u32>(offsets + (<usize>c << 2), 0);
    for (let c: i32 = 0; c < n; c++) store<i32>(status + (<usize>c << 2), OK);
    return 0;
  }
  reverseBytes(inPtr, inLen);
  // Byte a of the forward region is now at inPtr + inLen - 1 - (a - inPtr); see peek().
  // A chunk at forward address a has its "end" address (see peek) at last - (a - inPtr).
  const last: usize = inPtr + inLen - 8;
  let k: i32 = 0;
  let firstErr: i32 = OK;
  for (let c: i32 = 0; c < n; c++) {
    store<u32>(offsets + (<usize>c << 2), <u32>k);
    const d = desc + (<usize>c << 3);
    const off = load<u32>(d);
    const len = load<u32>(d, 4);
    let st: i32;
    if (<usize>off < inPtr || <u64>off + <u64>len + SLACK > inEnd || len > 0x0fffffff) {
      st = ERR_RANGE;
    } else {
      const ko = <usize>k << 3;
      st = decodeChunk(last - (<usize>off - inPtr), len, lo, hi, outT + ko, outV + ko, cap - k);
    }
    store<i32>(status + (<usize>c << 2), st);
    if (st == OK) k += gCount;
    else if (firstErr == OK) firstErr = st;
  }
  store<u32>(offsets + (<usize>n << 2), <u32>k);
  return firstErr != OK ? firstErr : k;
}
