import { describe, expect, it } from 'vitest';
import { allFunctions, getFunction } from './functions.ts';

describe('function signature table', () => {
  it('knows all 70 functions of Prometheus 2.42', () => {
    expect(allFunctions()).toHaveLength(70);
  });

  it('has the exact signatures of tricky entries', () => {
    expect(getFunction('label_join')).toEqual({
      name: 'label_join',
      argTypes: ['vector', 'string', 'string', 'string'],
      variadic: -1,
      returnType: 'vector',
    });
    expect(getFunction('round')).toMatchObject({ argTypes: ['vector', 'scalar'], variadic: 1 });
    expect(getFunction('year')).toMatchObject({ argTypes: ['vector'], variadic: 1 });
    expect(getFunction('histogram_fraction')?.argTypes).toEqual(['scalar', 'scalar', 'vector']);
    expect(getFunction('quantile_over_time')?.argTypes).toEqual(['scalar', 'matrix']);
    expect(getFunction('holt_winters')?.argTypes).toEqual(['matrix', 'scalar', 'scalar']);
    expect(getFunction('pi')).toMatchObject({ argTypes: [], returnType: 'scalar' });
    expect(getFunction('scalar')?.returnType).toBe('scalar');
  });

  it('is case-sensitive and rejects unknown names', () => {
    expect(getFunction('RATE')).toBeUndefined();
    expect(getFunction('foo')).toBeUndefined();
    expect(getFunction('rate')?.argTypes).toEqual(['matrix']);
  });
});
