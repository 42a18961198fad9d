import { describe, expect, it } from 'vitest';
import { allFunctions } from '../parser/functions.ts';
import { functionImpls } from './table.ts';

describe('implementation table', () => {
  it('implements every function the parser knows, and nothing else', () => {
    const names = allFunctions()
      .map((f) => f.name)
      .sort();
    expect([...functionImpls.keys()].sort()).toEqual(names);
    expect(names).toHaveLength(70);
  });
});
