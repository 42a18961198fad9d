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
