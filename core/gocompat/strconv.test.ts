import { describe, expect, it } from 'vitest';
import { GO_NAN } from './math.ts';
import {
  goFormatFloat,
  goFormatFloatDigits,
  goParseFloat,
  goParseInt,
  NumError,
} from './strconv.ts';

const goFormatFloat6 = (v: number) => goFormatFloat(v, 'f', 6);

describe("goFormatFloat 'g' -1 (Go %v)", () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-1.5, '-1.5'],
    [100000, '100000'],
    [123456.7, '123456.7'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [123456789, '1.23456789e+08'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-1e-7, '-1e-07'],
    [1e100, '1e+100'],
    [5e-324, '5e-324'],
    [0.1 + 0.2, '0.30000000000000004'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('%d → %s', (v, s) => {
    expect(goFormatFloat(v, 'g', -1)).toBe(s);
  });

  it('formats %f', () => {
    expect(goFormatFloat6(1e30)).toBe('1000000000000000019884624838656.000000');
    expect(goFormatFloat6(1.5)).toBe('1.500000');
    expect(goFormatFloat6(-Infinity)).toBe('-Inf');
  });
});

describe("goFormatFloat 'g' -1 as promtool's dump prints", () => {
  it('formats like Go %g', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [1, '1'],
      [-2.5, '-2.5'],
      [100000, '100000'],
      [1e6, '1e+06'],
      [123456.7, '123456.7'],
      [1234567.8, '1.2345678e+06'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e300, '1.5e+300'],
      [5e-324, '5e-324'],
      [0.1 + 0.2, '0.30000000000000004'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [1e21, '1e+21'],
      [123456, '123456'],
      [1700000000, '1.7e+09'],
      [0.000123, '0.000123'],
    ];
    for (const [v, s] of cases) expect(goFormatFloat(v, 'g', -1), String(v)).toBe(s);
  });
});

describe("goFormatFloat 'f' -1 (count_values labels)", () => {
  it('formats like strconv.FormatFloat(v, "f", -1, 64)', () => {
    expect(
      [1e21, 1e-7, -0, 0.1, 123.456, NaN, Infinity, -Infinity, -2.5e-3, 5e-324].map((v) =>
        goFormatFloat(v, 'f', -1),
      ),
    ).toEqual([
      '1000000000000000000000',
      '0.0000001',
      '-0',
      '0.1',
      '123.456',
      'NaN',
      '+Inf',
      '-Inf',
      '-0.0025',
      `0.${'0'.repeat(323)}5`,
    ]);
  });
});

describe('goFormatFloat with a precision rounds the exact value half to even, as Go', () => {
  it("'f' (answers of the Prometheus 2.42 binary's holt_winters error, %f)", () => {
    // 0.0078125 = 2^-7 is exactly halfway at 6 decimals: Go keeps the even digit, toFixed rounds up.
    expect(goFormatFloat(-0.0078125, 'f', 6)).toBe('-0.007812');
    expect(goFormatFloat(1.0000005, 'f', 6)).toBe('1.000001');
    expect(goFormatFloat(-0, 'f', 6)).toBe('-0.000000'); // holt_winters(x, -0, 0.5) in 2.42
    expect(goFormatFloat(0.5, 'f', 0)).toBe('0');
    expect(goFormatFloat(1.5, 'f', 0)).toBe('2');
    expect(goFormatFloat(2.5, 'f', 0)).toBe('2');
    expect(goFormatFloat(0.9, 'f', 0)).toBe('1');
    expect(goFormatFloat(0.0009, 'f', 2)).toBe('0.00');
    expect(goFormatFloat(99.999, 'f', 2)).toBe('100.00');
    expect(goFormatFloat(5e-324, 'f', 3)).toBe('0.000');
  });
  it("'e' and 'g'", () => {
    expect(goFormatFloat(1234.5678, 'e', 2)).toBe('1.23e+03');
    expect(goFormatFloat(0.000125, 'e', 1)).toBe('1.3e-04'); // the double is a little above 1.25e-4
    expect(goFormatFloat(0.125, 'e', 1)).toBe('1.2e-01'); // an exact tie: to even
    expect(goFormatFloat(0.375, 'e', 1)).toBe('3.8e-01');
    expect(goFormatFloat(9.99, 'e', 1)).toBe('1.0e+01');
    expect(goFormatFloat(0, 'e', 3)).toBe('0.000e+00');
    expect(goFormatFloat(1e100, 'e', 0)).toBe('1e+100');
    expect(goFormatFloat(123456789, 'g', 3)).toBe('1.23e+08');
    expect(goFormatFloat(0.5, 'g', 0)).toBe('0.5');
    expect(goFormatFloat(100, 'g', 6)).toBe('100');
  });
  it("'e' -1 gives the shortest digits", () => {
    expect(goFormatFloat(1e-7, 'e', -1)).toBe('1e-07');
    expect(goFormatFloat(1.5e21, 'e', -1)).toBe('1.5e+21');
    expect(goFormatFloat(-0, 'e', -1)).toBe('-0e+00');
  });
});

describe('goParseInt (ParseInt(s, 0, 64))', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['010', 8],
    ['0o17', 15],
    ['0b101', 5],
    ['0x1F', 31],
    ['-0x10', -16],
    ['+42', 42],
    ['1_000', 1000],
    ['0x_1f', 31],
    ['0_7', 7],
    ['9223372036854775807', 9223372036854775807],
    ['-9223372036854775808', -9223372036854775808],
  ])('%s = %d', (s, v) => expect(goParseInt(s)).toBe(v));
  it.each([
    '',
    '+',
    '08',
    '0x',
    '1e3',
    '1.5',
    '_1',
    '1_',
    '1__0',
    '0x1g',
    '9223372036854775808',
    ' 1',
  ])('%j is an error', (s) => expect(() => goParseInt(s)).toThrow(NumError));
  it('says which error, as Go', () => {
    expect(() => goParseInt('1x')).toThrow('strconv.ParseInt: parsing "1x": invalid syntax');
    expect(() => goParseInt('9223372036854775808')).toThrow(
      'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    );
    // ParseUint stops at the uint64 overflow before it reaches the bad character.
    expect(() => goParseInt('99999999999999999999x')).toThrow('value out of range');
    expect(() => goParseInt('9999999999999999999x')).toThrow('invalid syntax');
  });
  it('base 10: no prefixes, no underscores, leading zeros are decimal', () => {
    expect(goParseInt('010', 10)).toBe(10);
    expect(goParseInt('-42', 10)).toBe(-42);
    expect(() => goParseInt('0x10', 10)).toThrow('invalid syntax');
    expect(() => goParseInt('1_000', 10)).toThrow('invalid syntax');
  });
});

describe('goParseFloat (ParseFloat(s, 64))', () => {
  it.each([
    ['1.5e3', 1500],
    ['.5', 0.5],
    ['5.', 5],
    ['-0', -0],
    ['+Inf', Infinity],
    ['-infinity', -Infinity],
    ['1e-400', 0],
    ['1_000.5', 1000.5],
    ['0x1p-2', 0.25],
    ['0x1.8p1', 3],
    ['-0x_1p4', -16],
  ])('%s = %d', (s, v) => expect(goParseFloat(s)).toBe(v));
  it('returns math.NaN()', () => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, goParseFloat('nan'));
    expect(dv.getBigUint64(0)).toBe(0x7ff8000000000001n);
    expect(Object.is(goParseFloat('NaN'), GO_NAN)).toBe(true);
  });
  it.each([
    ['', 'strconv.ParseFloat: parsing "": invalid syntax'],
    ['+NaN', 'strconv.ParseFloat: parsing "+NaN": invalid syntax'],
    ['1e', 'strconv.ParseFloat: parsing "1e": invalid syntax'],
    ['0x10', 'strconv.ParseFloat: parsing "0x10": invalid syntax'],
    ['1__0', 'strconv.ParseFloat: parsing "1__0": invalid syntax'],
    ['infin', 'strconv.ParseFloat: parsing "infin": invalid syntax'],
    ['1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
    ['-1e400', 'strconv.ParseFloat: parsing "-1e400": value out of range'],
    ['\x01', 'strconv.ParseFloat: parsing "\\x01": invalid syntax'],
  ])('%j: %s', (s, message) => {
    expect(() => goParseFloat(s)).toThrow(NumError);
    expect(() => goParseFloat(s)).toThrow(message);
  });
});

describe("goFormatFloat 'f' -1 fast path", () => {
  it('prints what the digit algorithm prints for random doubles of every magnitude in its range', () => {
    const bits = new BigUint64Array(1);
    const f = new Float64Array(bits.buffer);
    let seed = 0x9e3779b97f4a7c15n;
    let checked = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      bits[0] = seed;
      const v = i % 2 === 0 ? f[0]! : (Number(seed % 1_000_000_000n) / 1000) * (i % 3 ? 1 : -1);
      const a = Math.abs(v);
      if (!(a >= 1e-6 && a < 1e21)) continue;
      checked++;
      const want = goFormatFloatDigits(v, 'f', -1);
      if (goFormatFloat(v, 'f', -1) !== want) mismatches.push(`${v}: ${want}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });
  it('keeps Go texts outside it', () => {
    expect(goFormatFloat(-0, 'f', -1)).toBe('-0');
    expect(goFormatFloat(1e-7, 'f', -1)).toBe('0.0000001');
    expect(goFormatFloat(1e21, 'f', -1)).toBe('1000000000000000000000');
    expect(goFormatFloat(Infinity, 'f', -1)).toBe('+Inf');
  });
});
