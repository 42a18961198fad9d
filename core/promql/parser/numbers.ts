/**
 * @module core/promql/parser/numbers — PromQL number literals read and printed as Prometheus does:
 * the parser tries Go's `strconv.ParseInt(s, 0, 64)` first (so `0x1F` is hex and `010` is octal 8)
 * and falls back to `strconv.ParseFloat` (decimals, exponents, `Inf`, `NaN`); `String()` prints
 * floats like Go's `%v` (`1e+06`, `+Inf`); `%f` is used in one error message.
 */

const MAX_INT64 = (1n << 63n) - 1n;

/** Go's strconv.ParseFloat error, as the parser wraps it: `strconv.ParseFloat: parsing "1e": invalid syntax`. */
export class NumberSyntaxError extends Error {}

const DECIMAL_FLOAT = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function parseInt0(s: string): number | undefined {
  let digits: string;
  let radix: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) {
    digits = s.slice(2);
    radix = 16n;
  } else if (/^0[0-7]+$/.test(s)) {
    digits = s.slice(1);
    radix = 8n;
  } else if (/^[0-9]+$/.test(s) && (s === '0' || s[0] !== '0')) {
    digits = s;
    radix = 10n;
  } else return undefined;
  let v = 0n;
  for (const d of digits) v = v * radix + BigInt(parseInt(d, 16));
  if (v > MAX_INT64) return undefined; // Go: value out of range → fall back to ParseFloat
  return Number(v);
}

/** Value of a NUMBER token (unsigned: a sign is a unary operator). Throws NumberSyntaxError. */
export function parseNumber(s: string): number {
  const asInt = parseInt0(s);
  if (asInt !== undefined) return asInt;
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === 'nan') return NaN;
  if (!DECIMAL_FLOAT.test(s))
    throw new NumberSyntaxError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = Number(s);
  if (!Number.isFinite(v))
    throw new NumberSyntaxError(
      `strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`,
    );
  return v;
}

/** Go's `%v` / `strconv.FormatFloat(v, 'g', -1, 64)` with fmt's `+Inf`. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const neg = v < 0;
  const [mant, expStr] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  let out: string;
  if (exp < -4 || exp >= 6) {
    // %e with the shortest digits; Go prints at least two exponent digits.
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp);
    out = `${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}

/** Go's `%f` (6 decimals, exact digits for large values, `+Inf`/`NaN`). */
export function formatFixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  // toFixed switches to exponent notation at 1e21; doubles that large are integers.
  if (Math.abs(v) >= 1e21) return `${BigInt(v).toString()}.000000`;
  return v.toFixed(6);
}
