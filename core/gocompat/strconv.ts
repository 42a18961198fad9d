/**
 * @module core/gocompat/strconv — Go's strconv for float64, as Prometheus prints and reads numbers.
 *
 * `goFormatFloat(v, fmt, prec)` is `strconv.FormatFloat(v, fmt, prec, 64)` for 'e', 'f' and 'g'
 * (so `%v` is 'g' -1 and `%f` is 'f' 6): precision -1 gives the shortest digits that round-trip,
 * any other precision rounds the exact binary value half to even, as Go does (JS's toFixed
 * rounds halves up: 0.0078125 → "0.007813" where Go prints "0.007812"). `goParseFloat` and
 * `goParseInt` read numbers with Go's syntax and error texts.
 */
import { GO_NAN } from './math.ts';
import { goQuote } from './quote.ts';

export type FloatFormat = 'e' | 'f' | 'g';

/** Decimal digits `d` (no leading or trailing zeros; '' for zero) and point: value = 0.d × 10^dp. */
interface Decimal {
  readonly d: string;
  readonly dp: number;
}

/** The shortest round-tripping digits: JS's Number-to-string picks the same ones Go's Ryū does. */
function shortestDigits(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  const e = a.toExponential();
  const at = e.indexOf('e');
  return { d: e[0]! + e.slice(2, at), dp: Number(e.slice(at + 1)) + 1 };
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** Every digit of the exact binary value of a finite a ≥ 0 (a double is a finite binary fraction). */
function exactDigits(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  f64[0] = a;
  const bits = u64[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = -1074;
  if (biased !== 0) {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  // mant × 2^exp; for exp < 0 that is mant × 5^-exp / 10^-exp.
  const s = exp >= 0 ? (mant << BigInt(exp)).toString() : (mant * 5n ** BigInt(-exp)).toString();
  let end = s.length;
  while (end > 0 && s[end - 1] === '0') end--;
  return { d: s.slice(0, end), dp: exp >= 0 ? s.length : s.length + exp };
}

/** Go's decimal.Round(nd): to nd digits, halves to even (the digits are exact, never truncated). */
function roundDigits(x: Decimal, nd: number): Decimal {
  const { d, dp } = x;
  if (nd < 0 || nd >= d.length) return x;
  const c = d.charCodeAt(nd);
  const half = c === 0x35 && nd + 1 === d.length;
  const up = half ? nd > 0 && (d.charCodeAt(nd - 1) - 0x30) % 2 === 1 : c >= 0x35;
  if (!up) {
    let end = nd;
    while (end > 0 && d[end - 1] === '0') end--;
    return end === 0 ? { d: '', dp: 0 } : { d: d.slice(0, end), dp };
  }
  for (let i = nd - 1; i >= 0; i--) {
    if (d[i] !== '9') return { d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp };
  }
  return { d: '1', dp: dp + 1 }; // all nines: 0.999 → 1.0
}

/** %e body: one digit, `prec` more after the point, `e±dd`. */
function fmtE(x: Decimal, prec: number): string {
  let out = x.d.length > 0 ? x.d[0]! : '0';
  if (prec > 0) out += `.${x.d.slice(1, prec + 1).padEnd(prec, '0')}`;
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}e${sign}${exp < 10 ? '0' : ''}${exp}`;
}

/** %f body: the integer part (at least `0`), then `prec` fraction digits. */
function fmtF(x: Decimal, prec: number): string {
  const { d, dp } = x;
  let out = dp > 0 ? d.slice(0, dp).padEnd(dp, '0') : '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = dp + i;
      frac += j >= 0 && j < d.length ? d[j] : '0';
    }
    out += `.${frac}`;
  }
  return out;
}

/**
 * Go's `strconv.FormatFloat(v, fmt, prec, 64)`: NaN, +Inf, -Inf spelled so, -0 keeps its sign.
 * 'g' with precision -1 takes the exponent form when the exponent is < -4 or ≥ 6 (Go's rule for
 * shortest digits): that is `%v`, `1e+06`.
 */
export function goFormatFloat(v: number, fmt: FloatFormat, prec: number): string {
  if (fmt === 'f' && prec < 0) {
    // JS prints the same shortest round-trip digits, positionally for 1e-6 <= |v| < 1e21: the
    // hot path of every JSON answer.
    const a = v < 0 ? -v : v;
    if (a >= 1e-6 && a < 1e21) return String(v);
  }
  return goFormatFloatDigits(v, fmt, prec);
}

/** goFormatFloat from the decimal digits, without the JS fast path (exported for its test). */
export function goFormatFloatDigits(v: number, fmt: FloatFormat, prec: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  const a = Math.abs(v);
  const shortest = prec < 0;
  let x: Decimal;
  if (shortest) {
    x = shortestDigits(a);
    if (fmt === 'e') prec = Math.max(x.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(x.d.length - x.dp, 0);
    else prec = x.d.length;
  } else {
    x = exactDigits(a);
    if (fmt === 'e') x = roundDigits(x, prec + 1);
    else if (fmt === 'f') x = roundDigits(x, x.dp + prec);
    else {
      if (prec === 0) prec = 1;
      x = roundDigits(x, prec);
    }
  }
  if (fmt === 'e') return sign + fmtE(x, prec);
  if (fmt === 'f') return sign + fmtF(x, prec);
  let eprec = prec;
  if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
  if (shortest) eprec = 6;
  const exp = x.dp - 1;
  if (exp < -4 || exp >= eprec) return sign + fmtE(x, Math.min(prec, x.d.length) - 1);
  return sign + fmtF(x, Math.max((prec > x.dp ? x.d.length : prec) - x.dp, 0));
}

/** A number that does not parse, with Go's *strconv.NumError text (or the caller's own). */
export class NumError extends Error {
  override readonly name = 'NumError';
}

const DECIMAL = /^[+-]?([0-9_]*)(?:\.([0-9_]*))?(?:[eE][+-]?([0-9][0-9_]*))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/;

/**
 * Go's `strconv.ParseFloat(s, 64)`: decimal literals, hexadecimal ones with their mandatory `p`
 * exponent, `_` between digits, `inf` and `infinity` (any case, optional sign) and `nan` (any
 * case, no sign) — math.NaN()'s bit pattern, GO_NAN. A finite literal that overflows is an
 * error ("value out of range"), as in Go. Hexadecimal mantissas wider than 53 bits are rounded
 * once more than Go does when the result is subnormal.
 */
export function goParseFloat(s: string): number {
  const d = DECIMAL.exec(s);
  if (d && /[0-9]/.test(d[1]! + (d[2] ?? '')) && (!s.includes('_') || underscoreOK(s))) {
    const v = Number(s.replaceAll('_', ''));
    if (v === Infinity || v === -Infinity) throw numError('ParseFloat', s, 'value out of range');
    return v;
  }
  const h = HEX.exec(s.includes('_') && underscoreOK(s) ? s.replaceAll('_', '') : s);
  if (h && h[2]! + (h[3] ?? '') !== '') {
    const frac = h[3] ?? '';
    const v = Number(BigInt(`0x${h[2]!}${frac}`)) * 2 ** (Number(h[4]) - 4 * frac.length);
    if (!Number.isFinite(v)) throw numError('ParseFloat', s, 'value out of range');
    return h[1] === '-' ? -v : v;
  }
  let body = s;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? -1 : 1;
    body = s.slice(1);
  }
  const l = body.toLowerCase();
  if (l === 'inf' || l === 'infinity') return sign * Infinity;
  // Go's special(): a sign goes with inf/infinity only.
  if (l === 'nan' && body === s) return GO_NAN;
  throw numError('ParseFloat', s, 'invalid syntax');
}

const INT64_CUTOFF = 1n << 63n;

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Go's `strconv.ParseInt(s, base, 64)` as a float64 (what `float64(n)` gives) for base 10 or 0.
 * Base 0 takes the base from the prefix (`0x`, `0o`, `0b`, a leading `0` for octal, else decimal)
 * and allows `_` between digits. Throws NumError (`invalid syntax`, `value out of range`).
 */
export function goParseInt(s: string, base: 0 | 10 = 0): number {
  const fail = (why: string): never => {
    throw numError('ParseInt', s, why);
  };
  let i = s[0] === '+' || s[0] === '-' ? 1 : 0;
  const neg = s[0] === '-';
  if (i === s.length) fail('invalid syntax');
  let radix = 10;
  if (base === 0 && s[i] === '0') {
    const p = s.length - i >= 3 ? s[i + 1]!.toLowerCase() : '';
    if (p === 'b' || p === 'o' || p === 'x') {
      radix = p === 'b' ? 2 : p === 'o' ? 8 : 16;
      i += 2;
    } else {
      radix = 8;
      i += 1;
    }
  }
  const big = BigInt(radix);
  let n = 0n;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '_' && base === 0) {
      underscores = true;
      continue;
    }
    const digit = parseInt(c, 36);
    if (!(digit < radix)) fail('invalid syntax');
    n = n * big + BigInt(digit);
    // ParseUint stops at the first uint64 overflow, before looking at the rest.
    if (n > UINT64_MAX) fail('value out of range');
  }
  if (underscores && !underscoreOK(s)) fail('invalid syntax');
  if (neg ? n > INT64_CUTOFF : n >= INT64_CUTOFF) fail('value out of range');
  return Number(neg ? -n : n);
}

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  // saw: '^' start, '0' digit or prefix, '_' underscore, '!' anything else.
  let saw = '^';
  let i = s[0] === '+' || s[0] === '-' ? 1 : 0;
  let hex = false;
  const p = s.length - i >= 2 && s[i] === '0' ? s[i + 1]!.toLowerCase() : '';
  if (p === 'b' || p === 'o' || p === 'x') {
    i += 2;
    saw = '0';
    hex = p === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

function numError(fn: string, s: string, why: string): NumError {
  return new NumError(`strconv.${fn}: parsing ${goQuote(s)}: ${why}`);
}
