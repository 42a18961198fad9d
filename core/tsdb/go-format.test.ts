import { describe, expect, it } from 'vitest';
import { formatGoG } from './go-format.ts';

describe('formatGoG', () => {
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
    for (const [v, s] of cases) expect(formatGoG(v), String(v)).toBe(s);
  });
});
