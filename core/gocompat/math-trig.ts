/**
 * @module core/gocompat/math-trig — Go 1.19's sin, cos, tan (Cephes polynomials, Payne–Hanek
 * reduction for huge arguments) and asin, acos, atan, operation by operation, where V8's fdlibm
 * differs in the last bit.
 */

const PI_2 = 1.5707963267948966; // Pi/2
const PI_4 = 0.7853981633974483; // Pi/4
const FOUR_OVER_PI = 1.2732395447351628; // 4/Pi

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
