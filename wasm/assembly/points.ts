/**
 * @module wasm/assembly/points — the points of a range answer, `[<seconds>,"<value>"]` separated by
 * commas, written from a series' f64 time and value columns. In workerd this loop runs several
 * times faster as WASM than as JS. GC-free (stub runtime); the JS side (core/api/points-wasm.ts)
 * owns linear memory above `heapBase()`. The reference is core/api/json-bytes.ts's JS writer,
 * byte for byte.
 *
 * Every value is written here with Go's FormatFloat(v, 'f', -1, 64): NaN, ±Inf, ±0 and integers
 * below 2^53 directly, values with at most 6 decimals from their scaled integer (as json-bytes.ts's
 * `decimals`), the rest from their shortest digits (points/shortest.ts). A timestamp that is not
 * an integer below 2^53 stops the call at its point, for JS to write.
 */
import { shortestDigits, shortestExponent } from './points/shortest';

/** Why the last `render` returned: 0 done, 1 output budget reached, 2 a point for JS. */
let stopReason: i32 = 0;
/** Where the last `render` stopped writing. */
let cursor: usize = 0;

export function heapBase(): usize {
  return __heap_base;
}

export function stopped(): i32 {
  return stopReason;
}

export function written(): usize {
  return cursor;
}

const TWO53: f64 = 9007199254740992;
const TWO31: f64 = 2147483648;

// @ts-ignore: decorator
@inline
function put(p: usize, c: i32): void {
  store<u8>(p, <u8>c);
}

/** "00".."99": two digits per division (by a constant, which the compiler makes a multiply). */
const PAIRS: usize = memory.data<u8>([48,48,48,49,48,50,48,51,48,52,48,53,48,54,48,55,48,56,48,57,49,48,49,49,49,50,49,51,49,52,49,53,49,54,49,55,49,56,49,57,50,48,50,49,50,50,50,51,50,52,50,53,50,54,50,55,50,56,50,57,51,48,51,49,51,50,51,51,51,52,51,53,51,54,51,55,51,56,51,57,52,48,52,49,52,50,52,51,52,52,52,53,52,54,52,55,52,56,52,57,53,48,53,49,53,50,53,51,53,52,53,53,53,54,53,55,53,56,53,57,54,48,54,49,54,50,54,51,54,52,54,53,54,54,54,55,54,56,54,57,55,48,55,49,55,50,55,51,55,52,55,53,55,54,55,55,55,56,55,57,56,48,56,49,56,50,56,51,56,52,56,53,56,54,56,55,56,56,56,57,57,48,57,49,57,50,57,51,57,52,57,53,57,54,57,55,57,56,57,57]);

function decimalCount(x: u32): usize {
  if (x < 100000) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : x < 10000 ? 4 : 5;
  return x < 10000000 ? (x < 1000000 ? 6 : 7) : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

/** The 8 decimal digits of x < 10^8, zero-padded, at p. */
// @ts-ignore: decorator
@inline
function eight(p: usize, x: u32): void {
  const high = x / 10000;
  const low = x - high * 10000;
  const a = high / 100;
  const c = low / 100;
  store<u16>(p, load<u16>(PAIRS + (<usize>a << 1)));
  store<u16>(p + 2, load<u16>(PAIRS + (<usize>(high - a * 100) << 1)));
  store<u16>(p + 4, load<u16>(PAIRS + (<usize>c << 1)));
  store<u16>(p + 6, load<u16>(PAIRS + (<usize>(low - c * 100) << 1)));
}

/** A u32's decimal digits at p; returns the end. */
function digits32(p: usize, x: u32): usize {
  let y = x;
  const end = p + decimalCount(y);
  let q = end;
  while (y >= 100) {
    const r = y % 100;
    y /= 100;
    q -= 2;
    store<u16>(q, load<u16>(PAIRS + (<usize>r << 1)));
  }
  if (y >= 10) store<u16>(q - 2, load<u16>(PAIRS + (<usize>y << 1)));
  else put(q - 1, 48 + <i32>y);
  return end;
}

/**
 * A u64's decimal digits at p; returns the end. Eight digits at a time in 32-bit arithmetic:
 * one 64-bit division per eight digits.
 */
function digits(p: usize, x: u64): usize {
  if (x <= <u64>u32.MAX_VALUE) return digits32(p, <u32>x);
  const high = x / 100000000;
  const end = digits(p, high);
  eight(end, <u32>(x - high * 100000000));
  return end + 8;
}

/** jsonutil's timestamp (ms → seconds, `.mmm` when ms ≠ 0); 0 if JS must write it. */
function timestamp(p: usize, ms: f64): usize {
  if (!(Math.abs(ms) < TWO53) || Math.floor(ms) != ms) return 0;
  let at = p;
  let t = ms;
  if (t < 0) {
    put(at++, 45);
    t = -t;
  }
  const whole = <u64>t;
  const secs = whole / 1000;
  const frac = <i32>(whole - secs * 1000);
  at = digits(at, secs);
  if (frac != 0) {
    put(at, 46);
    put(at + 1, 48 + frac / 100);
    put(at + 2, 48 + ((frac / 10) % 10));
    put(at + 3, 48 + (frac % 10));
    at += 4;
  }
  return at;
}

/** Go's FormatFloat(v, 'f', -1, 64) at p; returns the end. */
export function value(p: usize, v: f64): usize {
  let at = p;
  if (isNaN(v)) {
    put(at, 78);
    put(at + 1, 97);
    put(at + 2, 78);
    return at + 3;
  }
  if (v == Infinity || v == -Infinity) {
    put(at, v > 0 ? 43 : 45);
    put(at + 1, 73);
    put(at + 2, 110);
    put(at + 3, 102);
    return at + 4;
  }
  const negative = (reinterpret<u64>(v) >> 63) != 0;
  const a = Math.abs(v);
  if (a == 0) {
    if (negative) put(at++, 45);
    put(at, 48);
    return at + 1;
  }
  if (a < TWO53 && Math.floor(a) == a) {
    if (negative) put(at++, 45);
    return digits(at, <u64>a);
  }
  let pow: f64 = 1;
  for (let k = 1; k <= 6; k++) {
    pow *= 10;
    const x = a * pow;
    if (!(x < TWO31)) break;
    const m = nearest<f64>(x);
    // A value with k decimals scales to within a few ulps of an integer: the division that
    // proves it is done only then.
    if (Math.abs(x - m) > x * 1e-12 || m / pow != a) continue;
    if (negative) put(at++, 45);
    const scaled = <u64>m;
    const unit = <u64>pow;
    const whole = scaled / unit;
    at = digits(at, whole);
    put(at++, 46);
    let frac = scaled - whole * unit;
    for (let i = k - 1; i >= 0; i--) {
      const d = frac / 10;
      put(at + i, <i32>(frac - d * 10) + 48);
      frac = d;
    }
    return at + k;
  }
  if (negative) put(at++, 45);
  return fixed(at, shortestDigits(reinterpret<u64>(a)), shortestExponent());
}

const POW10: usize = memory.data<u64>([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000]);

/** The last `count` (at most 17) decimal digits of x, zero-padded on the left, at p. */
function padded(p: usize, x: u64, count: i32): void {
  let y = x;
  let end = p + <usize>count;
  let left = count;
  while (left >= 8) {
    const high = y / 100000000;
    end -= 8;
    eight(end, <u32>(y - high * 100000000));
    y = high;
    left -= 8;
  }
  let z = <u32>y;
  for (let i = 0; i < left; i++) {
    const d = z / 10;
    put(--end, <i32>(z - d * 10) + 48);
    z = d;
  }
}

/** digits × 10^exponent in fixed notation (Go's %f of the shortest digits) at p; returns the end. */
function fixed(p: usize, digitsValue: u64, exponent: i32): usize {
  if (exponent >= 0) {
    let at = digits(p, digitsValue);
    for (let i = 0; i < exponent; i++) put(at++, 48);
    return at;
  }
  let count = 1;
  while (count < 19 && digitsValue >= load<u64>(POW10 + (<usize>count << 3))) count++;
  const point = count + exponent;
  if (point > 0) {
    const unit = load<u64>(POW10 + (<usize>-exponent << 3));
    const whole = digitsValue / unit;
    let at = digits(p, whole);
    put(at++, 46);
    padded(at, digitsValue - whole * unit, -exponent);
    return at + <usize>-exponent;
  }
  let at = p;
  put(at++, 48);
  put(at++, 46);
  for (let i = point; i < 0; i++) put(at++, 48);
  padded(at, digitsValue, count);
  return at + <usize>count;
}

/**
 * Points [from, n) of the columns at tPtr and vPtr (f64 each) written at out, a comma before
 * every point but the series' first, until the output passes maxBytes (after a whole point) or a
 * point is left to JS. Returns the index of the first point not written; `written()` is where the
 * output ends and `stopped()` says why.
 */
export function render(tPtr: usize, vPtr: usize, from: i32, n: i32, out: usize, maxBytes: i32): i32 {
  let at = out;
  const limit = out + <usize>maxBytes;
  for (let i = from; i < n; i++) {
    if (at >= limit) {
      cursor = at;
      stopReason = 1;
      return i;
    }
    const start = at;
    if (i > 0) put(at++, 44);
    put(at++, 91);
    const v = load<f64>(vPtr + (<usize>i << 3));
    at = timestamp(at, load<f64>(tPtr + (<usize>i << 3)));
    if (at == 0) {
      cursor = start;
      stopReason = 2;
      return i;
    }
    put(at, 44);
    put(at + 1, 34);
    at = value(at + 2, v);
    put(at, 34);
    put(at + 1, 93);
    at += 2;
  }
  cursor = at;
  stopReason = 0;
  return n;
}
