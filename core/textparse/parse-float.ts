/**
 * @module core/textparse/parse-float — float parsing with the exact syntax of Go's
 * `strconv.ParseFloat(s, 64)` as Prometheus's text parsers use it (model/textparse parseFloat):
 * decimal literals, case-insensitive `inf`/`infinity` with an optional sign and `nan` without
 * one; no hex (the `p` exponent is rejected by Prometheus), no underscores, no surrounding space.
 * A finite literal that overflows is an error in Go ("value out of range"), not ±Inf.
 */

/**
 * Prometheus's canonical NaN (value.NormalNaN = 0x7ff8000000000001), which Go's math.NaN()
 * returns and so every parsed "NaN" carries. V8's own NaN is 0x7ff8000000000000; written into a
 * chunk it would differ from Prometheus's bytes.
 */
export const NORMAL_NAN: number = (() => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, 0x7ff80000);
  dv.setUint32(4, 0x00000001);
  return dv.getFloat64(0);
})();

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Why a float did not parse, worded as Go's strconv.NumError (`invalid syntax`, `value out of range`). */
export class FloatSyntaxError extends Error {
  override readonly name = 'FloatSyntaxError';
}

/** Parses like Go's ParseFloat(s, 64) behind Prometheus's guard; throws FloatSyntaxError. */
export function parseGoFloat(s: string): number {
  if (DECIMAL.test(s)) {
    const v = Number(s);
    if (v === Infinity || v === -Infinity) {
      throw new FloatSyntaxError(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
    }
    return v;
  }
  const special = parseSpecial(s);
  if (special !== undefined) return special;
  if (/[pP_]/.test(s)) throw new FloatSyntaxError('unsupported character in float');
  throw new FloatSyntaxError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
}

function parseSpecial(s: string): number | undefined {
  let body = s;
  let sign = 1;
  const c = s.charCodeAt(0);
  if (c === 0x2b /* + */ || c === 0x2d /* - */) {
    if (c === 0x2d) sign = -1;
    body = s.slice(1);
    // Go's special(): a sign only goes with inf/infinity.
    const l = body.toLowerCase();
    return l === 'inf' || l === 'infinity' ? sign * Infinity : undefined;
  }
  const l = body.toLowerCase();
  if (l === 'inf' || l === 'infinity') return Infinity;
  if (l === 'nan') return NORMAL_NAN;
  return undefined;
}

/** Go's %q for the ASCII strings these errors quote. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
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
