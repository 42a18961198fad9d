/**
 * @module core/gocompat/math — Go 1.19's math package as the amd64 Prometheus binary computes it,
 * where V8's Math gives a different last bit or a different special case.
 *
 * Go implements sin/cos/tan/asin/acos/atan/sinh/cosh/tanh in Go (Cephes polynomials and
 * Payne–Hanek reduction), and Exp and Log in amd64 assembly: Exp is the SLEEF-derived Taylor scheme
 * using FMA instructions on CPUs that have them (every current x86-64 server), Log the FreeBSD
 * polynomial. V8 uses fdlibm for all of them, which differs by one ulp for ~15% of inputs. These
 * functions follow Go's algorithms operation by operation; FMA is emulated exactly (fma.ts). The
 * trigonometric functions are in math-trig.ts.
 */
import { fma } from './fma.ts';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Go's math.NaN(): 0x7FF8000000000001, which Prometheus calls value.NormalNaN and strconv.ParseFloat
 * returns for "NaN". V8's own NaN is 0x7FF8000000000000; written into a chunk it would differ from
 * Prometheus's bytes.
 */
export const GO_NAN: number = (() => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, 0x7ff80000);
  dv.setUint32(4, 0x00000001);
  return dv.getFloat64(0);
})();

/** Go's math.Max: +Inf beats NaN, NaN beats everything else, +0 beats -0. */
export function goMax(x: number, y: number): number {
  if (x === Infinity || y === Infinity) return Infinity;
  return Math.max(x, y);
}

/** Go's math.Min: -Inf beats NaN, NaN beats everything else, -0 beats +0. */
export function goMin(x: number, y: number): number {
  if (x === -Infinity || y === -Infinity) return -Infinity;
  return Math.min(x, y);
}

/** Go's math.Pow where it differs from `**`: base 1 (any exponent), -1 with an infinite exponent. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Go's integer `a / b` (truncated) for integers held in numbers: `a - a % b` divides exactly. */
export function goDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** Go's math.Round: halves away from zero (Math.round takes them towards +Inf). */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Go's `int64(x)` for a float64 on amd64 (CVTTSD2SQ): truncation, and the "integer indefinite"
 * -2^63 for NaN and out-of-range values. A number while exact (|x| < 2^53), else a bigint.
 */
export function goInt64(x: number): bigint | number {
  const tr = Math.trunc(x);
  if (Number.isNaN(tr) || tr >= 9223372036854775808 || tr < -9223372036854775808)
    return -(1n << 63n);
  // An int64 has no -0: Go prints int64(-0.4) as 0.
  if (Math.abs(tr) < 2 ** 53) return tr === 0 ? 0 : tr;
  return BigInt(tr);
}
// ---- Exp (exp_amd64.s, FMA path) -------------------------------------------------------------

const LOG2E = 1.4426950408889634;
const LN2U = 0.69314718055966295651160180568695068359375;
const LN2L = 0.28235290563031577122588448175013436025525412068e-12;
const EXP_OVERFLOW = 7.09782712893384e2;
const T2 = 1.6666666666666666667e-1;
const T3 = 4.1666666666666666667e-2;
const T4 = 8.3333333333333333333e-3;
const T5 = 1.3888888888888888889e-3;
const T6 = 1.984126984126984127e-4;
const T7 = 2.4801587301587301587e-5;

/** CVTSD2SL under the default rounding mode: nearest, ties to even; out of int32 range → -2^31. */
function cvtsd2sl(v: number): number {
  if (!(v >= -2147483648.5 && v < 2147483647.5)) return -2147483648;
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

export function goExp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === -Infinity) return 0;
  if (x > EXP_OVERFLOW) return Infinity;
  const k = cvtsd2sl(LOG2E * x);
  const nk = 0 - k; // +0 rather than -0 for k = 0 keeps the value a small integer (no deopt); same result
  let r = fma(nk, LN2U, x);
  r = fma(nk, LN2L, r);
  r *= 0.0625;
  let p = fma(T7, r, T6);
  p = fma(p, r, T5);
  p = fma(p, r, T4);
  p = fma(p, r, T3);
  p = fma(p, r, T2);
  p = fma(p, r, 0.5);
  p = fma(p, r, 1.0);
  // r ← e^r - 1, then squared back up four times: (y + 1)² - 1 = y (y + 2).
  r *= p;
  r *= r + 2.0;
  r *= r + 2.0;
  r *= r + 2.0;
  r = fma(r + 2.0, r, 1.0);
  const e = k + 0x3ff;
  if (e <= 0) {
    // Subnormal results: scale in two steps so only the last multiplication rounds.
    if (e < -52) return 0;
    return r * 2 ** (k + 1022) * 2 ** -1022;
  }
  if (e >= 0x7ff) return Infinity;
  return r * 2 ** (e - 0x3ff);
}

// ---- Log (log_amd64.s) -----------------------------------------------------------------------

const HSQRT2 = 7.07106781186547524401e-1;
const LN2HI = 6.9314718036912381649e-1;
const LN2LO = 1.90821492927058770002e-10;
const L1 = 6.66666666666673513e-1;
const L2 = 3.999999999940941908e-1;
const L3 = 2.857142874366239149e-1;
const L4 = 2.222219843214978396e-1;
const L5 = 1.818357216161805012e-1;
const L6 = 1.531383769920937332e-1;
const L7 = 1.479819860511658591e-1;

export function goLog(x: number): number {
  if (x === 0) return -Infinity;
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x < 0) return NaN;
  // Frexp by bit surgery, without subnormal normalisation (as the assembly does).
  f64[0] = x;
  const hi = u32[HI]!;
  let k = ((hi >>> 20) & 0x7ff) - 0x3fe;
  u32[HI] = (hi & 0x000fffff) | 0x3fe00000;
  let f1 = f64[0]!;
  if (f1 < HSQRT2) {
    k -= 1;
    f1 *= 2;
  }
  const f = f1 - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
  const t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
  const R = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * LN2HI - (hfsq - (s * (hfsq + R) + k * LN2LO) - f);
}

/** Go's math.Frexp: x = frac × 2^exp with |frac| in [0.5, 1). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 2 ** 52;
    e = -52;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  e += ((hi >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  return [f64[0]!, e];
}

/** Go evaluates 1/Ln2 and 1/Ln10 as exact constants, then rounds once. */
const INV_LN2 = 1.4426950408889634;
const INV_LN10 = 0.4342944819032518;

/** Go's math.Log2: exact for powers of two, else Log(frac)/Ln2 + exp. */
export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  if (frac === 0.5) return exp - 1;
  return goLog(frac) * INV_LN2 + exp;
}

/** Go's math.Log10: Log(x) × (1/Ln10). */
export function goLog10(x: number): number {
  return goLog(x) * INV_LN10;
}

// ---- sinh, cosh, tanh (sinh.go, tanh.go), on top of the assembly Exp ----------------------------

export function goSinh(x: number): number {
  const P0 = -0.6307673640497716991184787251e6;
  const P1 = -0.8991272022039509355398013511e5;
  const P2 = -0.2894211355989563807284660366e4;
  const P3 = -0.2630563213397497062819489e2;
  const Q0 = -0.6307673640497716991212077277e6;
  const Q1 = 0.1521517378790019070696485176e5;
  const Q2 = -0.173678953558233699533450911e3;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let temp: number;
  if (x > 21) temp = goExp(x) * 0.5;
  else if (x > 0.5) {
    const ex = goExp(x);
    temp = (ex - 1 / ex) * 0.5;
  } else {
    const sq = x * x;
    temp = (((P3 * sq + P2) * sq + P1) * sq + P0) * x;
    temp = temp / (((sq + Q2) * sq + Q1) * sq + Q0);
  }
  return sign ? -temp : temp;
}

export function goCosh(x: number): number {
  x = Math.abs(x);
  if (x > 21) return goExp(x) * 0.5;
  const ex = goExp(x);
  return (ex + 1 / ex) * 0.5;
}

const TANH_P = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3];
const TANH_Q = [1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3];

export function goTanh(x: number): number {
  const MAXLOG = 8.8029691931113054295988e1;
  let z = Math.abs(x);
  if (z > 0.5 * MAXLOG) return x < 0 ? -1 : 1;
  if (z >= 0.625) {
    const s = goExp(2 * z);
    z = 1 - 2 / (s + 1);
    return x < 0 ? -z : z;
  }
  if (x === 0) return x;
  const s = x * x;
  return (
    x +
    (x * s * ((TANH_P[0]! * s + TANH_P[1]!) * s + TANH_P[2]!)) /
      (((s + TANH_Q[0]!) * s + TANH_Q[1]!) * s + TANH_Q[2]!)
  );
}

// ---- asinh, acosh (asinh.go, acosh.go): Go's formulas over the assembly Log ---------------------

const LN2_ASINH = 6.93147180559945286227e-1;

export function goAsinh(x: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) return x;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let temp: number;
  if (x > 268435456) temp = goLog(x) + LN2_ASINH;
  else if (x > 2) temp = goLog(2 * x + 1 / (Math.sqrt(x * x + 1) + x));
  else if (x < 3.725290298461914e-9) temp = x;
  else temp = Math.log1p(x + (x * x) / (1 + Math.sqrt(1 + x * x)));
  return sign ? -temp : temp;
}

export function goAcosh(x: number): number {
  if (x < 1 || Number.isNaN(x)) return NaN;
  if (x === 1) return 0;
  if (x >= 268435456) return goLog(x) + LN2_ASINH;
  if (x > 2) return goLog(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
  const t = x - 1;
  return Math.log1p(t + Math.sqrt(2 * t + t * t));
}
