/**
 * @module core/tsdb/go-format — Go's `%g` for float64 (`strconv.FormatFloat(v, 'g', -1, 64)` as
 * fmt prints it): shortest round-trip digits, exponent form when exp < -4 or exp >= 6 (the
 * "shortest" precision rule), at least two exponent digits, and `+Inf`/`-Inf`/`NaN`.
 */

export function formatGoG(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // toExponential() without digits gives the shortest digits that round-trip, like Go.
  const e = v.toExponential();
  const neg = e[0] === '-';
  const body = neg ? e.slice(1) : e;
  const ePos = body.indexOf('e');
  const digits = body.slice(0, ePos).replace('.', '');
  const exp = Number(body.slice(ePos + 1));
  let out: string;
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    out = `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}
