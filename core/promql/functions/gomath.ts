/**
 * @module core/promql/functions/gomath — Go 1.19's math functions as the amd64 Prometheus binary
 * computes them, where V8's Math gives a different last bit.
 *
 * Go implements sin/cos/tan/asin/acos/atan/sinh/cosh/tanh in Go (Cephes polynomials and
 * Payne–Hanek reduction), and Exp and Log in amd64 assembly: Exp is the SLEEF-derived Taylor scheme
 * using FMA instructions on CPUs that have them (every current x86-64 server), Log the FreeBSD
 * polynomial. V8 uses fdlibm for all of them, which differs by one ulp for ~15% of inputs. These
 * functions follow Go's algorithms operation by operation; FMA is emulated exactly (fma.ts).
 */
import { fma } from './fma.ts';

export { fma };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Correctly rounded constants of Go's exact constant expressions. */
const PI = Math.PI;
const PI_2 = 1.5707963267948966; // Pi/2
const PI_4 = 0.7853981633974483; // Pi/4
const FOUR_OVER_PI = 1.2732395447351628; // 4/Pi

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

// ---- sin, cos, tan (sin.go, tan.go, trig_reduce.go) ------------------------------------------

const PI4A = 7.85398125648498535156e-1;
const PI4B = 3.77489470793079817668e-8;
const PI4C = 2.69515142907905952645e-15;
const REDUCE_THRESHOLD = 1 << 29;

const SIN = [
  1.5896230157654656806e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
  -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1,
];
const COS = [
  -1.135853652138768173e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
  2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2,
];

/** Binary digits of 4/π, 64 bits per entry (Go's mPi4). */
const M_PI4 = [
  0x0000000000000001n,
  0x45f306dc9c882a53n,
  0xf84eafa3ea69bb81n,
  0xb6c52b3278872083n,
  0xfca2c757bd778ac3n,
  0x6e48dc74849ba5c0n,
  0x0c925dd413a32439n,
  0xfc3bd63962534e7dn,
  0xd1046bea5d768909n,
  0xd338e04d68befc82n,
  0x7323ac7306a673e9n,
  0x3908bf177bf25076n,
  0x3ff12fffbc0b301fn,
  0xde5e2316b414da3en,
  0xda6cfd9e4f96136en,
  0x9e8c7ecd3cbfd45an,
  0xea4f758fd7cbe2f6n,
  0x7a0e73ef14a525d4n,
  0xd7f6bf623f1aba10n,
  0xac06608df8f6d757n,
];
const M64 = (1n << 64n) - 1n;

/** Payne–Hanek reduction of x ≥ 2^29: octant j and the remainder z (already × π/4). */
function trigReduce(x: number): [number, number] {
  if (x < PI_4) return [0, x];
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  let ix = dv.getBigUint64(0);
  const exp = Number((ix >> 52n) & 0x7ffn) - 1023 - 52;
  ix &= ~(0x7ffn << 52n);
  ix |= 1n << 52n;
  const digit = Math.floor((exp + 61) / 64);
  const bitshift = BigInt((exp + 61) % 64);
  const z0 = ((M_PI4[digit]! << bitshift) | (M_PI4[digit + 1]! >> (64n - bitshift))) & M64;
  const z1 = ((M_PI4[digit + 1]! << bitshift) | (M_PI4[digit + 2]! >> (64n - bitshift))) & M64;
  const z2 = ((M_PI4[digit + 2]! << bitshift) | (M_PI4[digit + 3]! >> (64n - bitshift))) & M64;
  const z2hi = (z2 * ix) >> 64n;
  const p1 = z1 * ix;
  const z1hi = p1 >> 64n;
  const z1lo = p1 & M64;
  const z0lo = (z0 * ix) & M64;
  const loSum = z1lo + z2hi;
  const lo = loSum & M64;
  const c = loSum >> 64n;
  let hi = (z0lo + z1hi + c) & M64;
  let j = Number(hi >> 61n);
  hi = ((hi << 3n) | (lo >> 61n)) & M64;
  const lz = 64 - hi.toString(2).length + (hi === 0n ? 1 : 0);
  const e = BigInt(1023 - (lz + 1));
  hi = ((hi << BigInt(lz + 1)) | (lo >> BigInt(64 - (lz + 1)))) & M64;
  hi >>= 64n - 52n;
  hi |= e << 52n;
  dv.setBigUint64(0, hi);
  let z = dv.getFloat64(0);
  if ((j & 1) === 1) {
    j = (j + 1) & 7;
    z--;
  }
  return [j, z * PI_4];
}

/** The octant and reduced argument shared by sin, cos and tan (x ≥ 0). */
function reduce(x: number): [number, number] {
  if (x >= REDUCE_THRESHOLD) return trigReduce(x);
  let j = Math.trunc(x * FOUR_OVER_PI);
  let y = j;
  if ((j & 1) === 1) {
    j++;
    y++;
  }
  return [j, x - y * PI4A - y * PI4B - y * PI4C];
}

function sinPoly(z: number, zz: number): number {
  return (
    z +
    z *
      zz *
      (((((SIN[0]! * zz + SIN[1]!) * zz + SIN[2]!) * zz + SIN[3]!) * zz + SIN[4]!) * zz + SIN[5]!)
  );
}

function cosPoly(zz: number): number {
  return (
    1.0 -
    0.5 * zz +
    zz *
      zz *
      (((((COS[0]! * zz + COS[1]!) * zz + COS[2]!) * zz + COS[3]!) * zz + COS[4]!) * zz + COS[5]!)
  );
}

export function goSin(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let [j, z] = reduce(x);
  j &= 7;
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  const zz = z * z;
  const y = j === 1 || j === 2 ? cosPoly(zz) : sinPoly(z, zz);
  return sign ? -y : y;
}

export function goCos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  x = Math.abs(x);
  let sign = false;
  let [j, z] = reduce(x);
  j &= 7;
  if (j > 3) {
    j -= 4;
    sign = !sign;
  }
  if (j > 1) sign = !sign;
  const zz = z * z;
  const y = j === 1 || j === 2 ? sinPoly(z, zz) : cosPoly(zz);
  return sign ? -y : y;
}

const TAN_P = [-1.30936939181383777646e4, 1.1535166483858741614e6, -1.79565251976484877988e7];
const TAN_Q = [
  1.0, 1.36812963470692954678e4, -1.32089234440210967447e6, 2.50083801823357915839e7,
  -5.38695755929454629881e7,
];

export function goTan(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  const [j, z] = reduce(x);
  const zz = z * z;
  let y: number;
  if (zz > 1e-14) {
    y =
      z +
      z *
        ((zz * ((TAN_P[0]! * zz + TAN_P[1]!) * zz + TAN_P[2]!)) /
          ((((zz + TAN_Q[1]!) * zz + TAN_Q[2]!) * zz + TAN_Q[3]!) * zz + TAN_Q[4]!));
  } else y = z;
  if ((j & 2) === 2) y = -1 / y;
  return sign ? -y : y;
}

// ---- asin, acos, atan (asin.go, atan.go) -----------------------------------------------------

const MOREBITS = 6.12323399573676588613e-17;
const HALF_MOREBITS = 3.061616997868382943065e-17; // 0.5*Morebits, folded by Go's compiler
const TAN3PIO8 = 2.4142135623730950488;

function xatan(x: number): number {
  const P0 = -8.750608600031904122785e-1;
  const P1 = -1.615753718733365076637e1;
  const P2 = -7.50085579231470466734e1;
  const P3 = -1.22886668449013617341e2;
  const P4 = -6.485021904942025371773e1;
  const Q0 = 2.485846490142306297962e1;
  const Q1 = 1.650270098316988542046e2;
  const Q2 = 4.328810604912902668951e2;
  const Q3 = 4.853903996359136964868e2;
  const Q4 = 1.945506571482613964425e2;
  let z = x * x;
  z =
    (z * ((((P0 * z + P1) * z + P2) * z + P3) * z + P4)) /
    (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4);
  return x * z + x;
}

function satan(x: number): number {
  if (x <= 0.66) return xatan(x);
  if (x > TAN3PIO8) return PI_2 - xatan(1 / x) + MOREBITS;
  return PI_4 + xatan((x - 1) / (x + 1)) + HALF_MOREBITS;
}

export function goAtan(x: number): number {
  if (x === 0) return x;
  if (x > 0) return satan(x);
  return -satan(-x);
}

export function goAsin(x: number): number {
  if (x === 0) return x;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  if (x > 1) return NaN;
  let temp = Math.sqrt(1 - x * x);
  if (x > 0.7) temp = PI_2 - satan(temp / x);
  else temp = satan(x / temp);
  return sign ? -temp : temp;
}

export function goAcos(x: number): number {
  return PI_2 - goAsin(x);
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

export { PI };
