import { describe, expect, it } from 'vitest';
import { formatFixed6, formatFloat, NumberSyntaxError, parseNumber } from './numbers.ts';

describe('parseNumber (ParseInt base 0, then ParseFloat)', () => {
  it.each([
    ['0', 0],
    ['00', 0],
    ['010', 8],
    ['09', 9],
    ['0009.5', 9.5],
    ['0x1F', 31],
    ['0X1f', 31],
    ['0x1e3', 483],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1.e5', 100000],
    ['1e5', 100000],
    ['1E-5', 0.00001],
    ['1e-400', 0],
    ['99999999999999999999', 1e20],
    ['9223372036854775807', 9223372036854775807],
    ['inf', Infinity],
    ['Inf', Infinity],
    ['NaN', NaN],
  ])('%s = %d', (s, v) => {
    expect(parseNumber(s)).toBe(v);
  });

  it.each([
    ['1e', 'strconv.ParseFloat: parsing "1e": invalid syntax'],
    ['0x', 'strconv.ParseFloat: parsing "0x": invalid syntax'],
    ['0x1.8', 'strconv.ParseFloat: parsing "0x1.8": invalid syntax'],
    ['0xFFFFFFFFFFFFFFFFFF', 'strconv.ParseFloat: parsing "0xFFFFFFFFFFFFFFFFFF": invalid syntax'],
    ['1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
  ])('%s fails', (s, message) => {
    expect(() => parseNumber(s)).toThrow(NumberSyntaxError);
    expect(() => parseNumber(s)).toThrow(message);
  });
});

describe('formatFloat (Go %v)', () => {
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
    expect(formatFloat(v)).toBe(s);
  });

  it('formats %f', () => {
    expect(formatFixed6(1e30)).toBe('1000000000000000019884624838656.000000');
    expect(formatFixed6(1.5)).toBe('1.500000');
    expect(formatFixed6(-Infinity)).toBe('-Inf');
  });
});
