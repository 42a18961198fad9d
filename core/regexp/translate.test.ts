import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { FastRegexMatcher } from './fast-regex-matcher.ts';
import { Re2Nfa } from './nfa.ts';
import { Re2SyntaxError } from './ast.ts';
import { parseRe2 } from './parse.ts';
import { JS_FLAGS, compileRe2, re2ToSource } from './translate.ts';

/** Full-match through both engines, which must agree. */
function full(re: string, s: string): boolean {
  const js = compileRe2(re, { anchored: true }).test(s);
  const nfa = new Re2Nfa(parseRe2(re)).match(s);
  expect(nfa, `NFA vs JS for ${JSON.stringify(re)} on ${JSON.stringify(s)}`).toBe(js);
  return js;
}

describe('RE2 → JS translation semantics (Go regexp facts)', () => {
  it('never uses the JS i, m or v flags', () => {
    expect(JS_FLAGS).toBe('u');
    expect(compileRe2('(?im)a$').flags).toBe('u');
  });

  it('negated classes inside quantified groups stay right (a V8 v-flag bug)', () => {
    expect(full('(?:a[^b])+', 'ab')).toBe(false);
    expect(full('(?:a[^b])+', 'acad')).toBe(true);
    expect(full('(?:\\n[^\\p{Greek}])+', '\n\u03a3')).toBe(false);
    expect(full('(?:\\n\\B[^a])+', '\n.')).toBe(true);
  });

  it('. excludes only \\n; (?s) includes it', () => {
    for (const c of ['\r', '\u2028', '\u2029', '\u0085', '\u{1F600}'])
      expect(full('.', c)).toBe(true);
    expect(full('.', '\n')).toBe(false);
    expect(full('(?s).', '\n')).toBe(true);
    expect(full('a(?s:.)b.', 'a\nbc')).toBe(true);
    expect(full('a(?s:.)b.', 'a\nb\n')).toBe(false);
  });

  it('$ without (?m) is end of text; (?m) lines end only at \\n', () => {
    expect(compileRe2('a$').test('a\n')).toBe(false);
    expect(compileRe2('(?m)a$').test('a\nb')).toBe(true);
    expect(compileRe2('(?m)a$').test('a\rb')).toBe(false);
    expect(compileRe2('(?m)^b').test('a\u2028b')).toBe(false);
    expect(full('(?m)a$\\n^b', 'a\nb')).toBe(true);
  });

  it('\\s, \\d, \\w and \\b are ASCII', () => {
    expect(full('\\s', '\u00a0')).toBe(false);
    expect(full('\\s', '\v')).toBe(false);
    expect(full('[[:space:]]', '\v')).toBe(true);
    expect(full('\\d', '\u0663')).toBe(false);
    expect(full('\\w', '\u00e9')).toBe(false);
    expect(full('.\\b.', 'a\u00e9')).toBe(true);
    expect(full('(?i).\\b.', '\u017fs')).toBe(true);
  });

  it('(?i) folds like Go: Kelvin sign, long s, sigma, but not dotted/dotless i', () => {
    expect(full('(?i)k', '\u212a')).toBe(true);
    expect(full('(?i)S', '\u017f')).toBe(true);
    expect(full('(?i)\u03c3', '\u03c2')).toBe(true);
    expect(full('(?i)i', '\u0130')).toBe(false);
    expect(full('(?i)I', '\u0131')).toBe(false);
    expect(full('(?i)\\w', '\u212a')).toBe(true);
    expect(full('(?i)\\W', '\u212a')).toBe(false);
    expect(full('(?i)ss', '\u00df')).toBe(false);
  });

  it('(?i) is scoped to its group', () => {
    expect(full('a(?i:b)c', 'aBc')).toBe(true);
    expect(full('a(?i:b)c', 'aBC')).toBe(false);
    expect(full('(?i)a(?-i)b', 'Ab')).toBe(true);
    expect(full('(?i)a(?-i)b', 'AB')).toBe(false);
    expect(full('a(?i)b|c', 'C')).toBe(true);
  });

  it('Unicode classes follow Go 1.19 (Unicode 13) tables', () => {
    expect(full('\\pL', '\u00e9')).toBe(true);
    expect(full('\\pL', '\u0870')).toBe(false); // assigned in Unicode 14
    expect(full('\\PL', '\u0870')).toBe(true);
    expect(full('\\p{Ll}', '\u0295')).toBe(true); // Lo → Ll after 13.0; Go 1.19 still says Ll
    expect(full('\\p{Greek}+', '\u03b1\u03b2')).toBe(true);
    expect(full('\\pC', '\u{E0080}')).toBe(false); // Go's C has no unassigned Cn
    expect(() => re2ToSource('\\p{Toto}')).toThrow('invalid character class range: `\\p{Toto}`');
  });

  it('counted repetition and the 1000 limit', () => {
    expect(full('a{2,3}', 'aaa')).toBe(true);
    expect(full('a{2,3}', 'aaaa')).toBe(false);
    expect(full('a{,2}', 'a{,2}')).toBe(true); // not a repeat: literal text
    expect(full('(?:a{10}){100}', 'a'.repeat(1000))).toBe(true);
  });
});

describe('rejections with Go error texts', () => {
  const cases: [string, string][] = [
    ['\\1', 'invalid escape sequence: `\\1`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?!a)', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)', 'invalid or unsupported Perl syntax: `(?<`'],
    ['(?<!a)', 'invalid or unsupported Perl syntax: `(?<`'],
    ['(?>a)', 'invalid or unsupported Perl syntax: `(?>`'],
    ['(?<n>a)', 'invalid or unsupported Perl syntax: `(?<`'],
    ['(?P=n)', 'invalid or unsupported Perl syntax: `(?P`'],
    ['(?x)a', 'invalid or unsupported Perl syntax: `(?x`'],
    ['a++', 'invalid nested repetition operator: `++`'],
    ['a*+', 'invalid nested repetition operator: `*+`'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['a??*', 'invalid nested repetition operator: `??*`'],
    ['a{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['a{2,1}', 'invalid repeat count: `{2,1}`'],
    ['(a{2}){501}', 'invalid repeat count: `{501}`'],
    ['*a', 'missing argument to repetition operator: `*`'],
    ['\\Z', 'invalid escape sequence: `\\Z`'],
    ['\\C', 'invalid escape sequence: `\\C`'],
    ['\\x{110000}', 'invalid escape sequence: `\\x{110000`'],
    ['[z-a]', 'invalid character class range: `z-a`'],
    ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
    ['\\pX', 'invalid character class range: `\\pX`'],
    ['(?P<>a)', 'invalid named capture: `(?P<>`'],
    ['a\\', 'trailing backslash at end of expression: ``'],
    ['(a', 'missing closing ): `(a`'],
    ['a)', 'unexpected ): `a)`'],
    ['[a', 'missing closing ]: `[a`'],
    [
      '('.repeat(1001) + ')'.repeat(1001),
      `expression nests too deeply: \`${'('.repeat(1001) + ')'.repeat(1001)}\``,
    ],
  ];
  for (const [re, msg] of cases) {
    it(`rejects ${JSON.stringify(re.slice(0, 20))}`, () => {
      let err: unknown;
      try {
        re2ToSource(re);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Re2SyntaxError);
      expect(err).toBeInstanceOf(BadDataError);
      expect((err as Error).message).toBe(`error parsing regexp: ${msg}`);
    });
  }

  it("applies Go's size and rune limits at exactly Go's boundaries (checked against Prometheus 2.42)", () => {
    const big = 'a{1000}'.repeat(3356);
    expect(() => new FastRegexMatcher(big)).toThrow(
      `error parsing regexp: regexp/syntax: internal error: \`^(?:${big})$\``,
    );
    // Go's rune limit needs patterns past our 64 KiB text limit (MAX_REGEX_LENGTH), which now
    // refuses them first; below it, the largest rune count stays under Go's budget.
    expect(() => new FastRegexMatcher('\\pL'.repeat(26980))).toThrow('regexp too long');
    expect(() => new FastRegexMatcher('\\p{Lu}'.repeat(26300))).toThrow('regexp too long');
    expect(() => new FastRegexMatcher('\\pL'.repeat(21845))).not.toThrow();
    // Accepted by Go; too big to translate, so the NFA runs it.
    const m = new FastRegexMatcher('[\\pL\\pN]'.repeat(1000));
    expect(m.engine).toBe('nfa');
    expect(m.matchString('a1'.repeat(500))).toBe(true);
    expect(m.matchString('a1'.repeat(499) + 'a-')).toBe(false);
  });

  it('reports the wrapped pattern as Prometheus does for a matcher', () => {
    expect(() => new FastRegexMatcher('[a')).toThrow(
      'error parsing regexp: missing closing ]: `[a)$`',
    );
    expect(() => new FastRegexMatcher('a)|(b')).toThrow(
      'error parsing regexp: unexpected ): `a)|(b`',
    );
  });
});
