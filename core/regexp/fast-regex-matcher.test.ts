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

  it('bounds polynomial backtracking by the number of choice points, not only by length', () => {
    // 60 optional a's then 60 a's: polynomial of degree 60 in JS (2 s on "api" in V8).
    const deg60 = new FastRegexMatcher(`(${'a?'.repeat(60)})${'a'.repeat(60)}`);
    const alts = new FastRegexMatcher(`${'(a|aa)'.repeat(30)}b`);
    expect(alts.engine).toBe('nfa');
    const few = new FastRegexMatcher('.*a.*b.*c');
    expect([few.engine, few.jsMaxInput]).toEqual(['js+nfa', 101]);
    for (const [m, s, want] of [
      [deg60, 'api', false],
      [deg60, 'a', false],
      [deg60, 'b', false],
      [deg60, 'a'.repeat(60), true],
      [deg60, 'a'.repeat(121), false],
      [alts, `${'a'.repeat(45)}c`, false],
      [alts, `${'a'.repeat(45)}b`, true],
    ] as const) {
      const t = performance.now();
      expect(m.matchString(s), s).toBe(want);
      expect(performance.now() - t, s).toBeLessThan(200);
    }
    expect(deg60.engine).toBe('nfa');
    // Alternations a first code point tells apart do not count: common label sets stay on JS.
    expect(new FastRegexMatcher('(api|web)-(prod|dev)-.*').engine).toBe('js');
  });
});
