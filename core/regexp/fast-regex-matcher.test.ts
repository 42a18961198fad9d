import { describe, expect, it } from 'vitest';
import { FastRegexMatcher, LONG_INPUT } from './fast-regex-matcher.ts';

describe('engine choice', () => {
  it('runs nested repeats on the linear-time NFA and stays correct', () => {
    const evil = 'a'.repeat(5000) + 'c';
    for (const re of ['(a+)+b', '(a|a)*b', '(a*)*b', '(?:a|aa)+$b']) {
      const m = new FastRegexMatcher(re);
      expect(m.engine).toBe('nfa');
      expect(m.matchString(evil)).toBe(false);
    }
    expect(new FastRegexMatcher('(a+)+c').matchString(evil)).toBe(true);
  });

  it('uses JS for simple patterns and the NFA for long inputs with several .*', () => {
    expect(new FastRegexMatcher('[a-z]+-\\d{3}').engine).toBe('js');
    const poly = new FastRegexMatcher('.*a.*b.*c.*d');
    expect(poly.engine).toBe('js+nfa');
    const long = 'x'.repeat(LONG_INPUT * 4);
    expect(poly.matchString(long)).toBe(false);
    expect(poly.matchString(`${long}a${long}b${long}c${long}d`)).toBe(true);
  });
});
