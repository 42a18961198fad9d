/**
 * @module core/textparse/parse-float — sample values as Prometheus's text parsers read them
 * (model/textparse parseFloat): Go's `strconv.ParseFloat(s, 64)` (core/gocompat/strconv) without
 * hex floats or `_`, and a fast path for plain decimals straight from the input bytes.
 */
import { goParseFloat, NumError } from '../gocompat/strconv.ts';

/**
 * Prometheus's textparse parseFloat: Go's ParseFloat behind a guard that keeps the pre-Go 1.13
 * syntax (no `p` exponents, no `_` separators). Throws NumError with the text Prometheus reports.
 */
export function parseTextFloat(s: string): number {
  if (/[pP_]/.test(s)) throw new NumError('unsupported character in float');
  return goParseFloat(s);
}

/** Exact powers of ten (10^0 … 10^22 are all exactly representable as doubles). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Fast path for plain decimals in a byte range (`-12.5`, `1700000000.123`, `3e5`): when the
 * digits fit in 15 significant digits and the scale in 10^±22, `m / 10^k` (or `m * 10^k`) is one
 * correctly rounded IEEE operation on exact operands (Clinger's fast path), so it equals Go's
 * ParseFloat. Returns undefined for anything else; the caller then takes the general path.
 */
export function parseSimpleFloat(b: Uint8Array, s: number, e: number): number | undefined {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === 0x2d || b[i] === 0x2b)) {
    neg = b[i] === 0x2d;
    i++;
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  let sawDigit = false;
  let sawDot = false;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x39) {
      sawDigit = true;
      if (digits > 0 || c !== 0x30) digits++;
      m = m * 10 + (c - 0x30);
      if (sawDot) scale--;
    } else if (c === 0x2e && !sawDot) sawDot = true;
    else break;
  }
  if (!sawDigit || digits > 15) return undefined;
  if (i < e) {
    const c = b[i]!;
    if (c !== 0x65 && c !== 0x45) return undefined;
    i++;
    let eneg = false;
    if (i < e && (b[i] === 0x2d || b[i] === 0x2b)) {
      eneg = b[i] === 0x2d;
      i++;
    }
    if (i >= e || e - i > 4) return undefined;
    let x = 0;
    for (; i < e; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) return undefined;
      x = x * 10 + d;
    }
    scale += eneg ? -x : x;
  }
  if (scale < -22 || scale > 22) return undefined;
  const v = scale < 0 ? m / POW10[-scale]! : m * POW10[scale]!;
  // m * 10^k can exceed 2^53 and round twice only if it is not exact; stay on the safe side.
  if (scale > 0 && v > Number.MAX_SAFE_INTEGER) return undefined;
  return neg ? -v : v;
}
