import { describe, expect, it } from 'vitest';
import { NumError } from '../../gocompat/strconv.ts';
import { parseNumber } from './numbers.ts';

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
    expect(() => parseNumber(s)).toThrow(NumError);
    expect(() => parseNumber(s)).toThrow(message);
  });
});
