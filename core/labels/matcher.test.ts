import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { Matcher, newMatcher } from './matcher.ts';

describe('Matcher', () => {
  it('equality and inequality treat an absent label as empty', () => {
    expect(newMatcher('=', 'a', '').matches('')).toBe(true);
    expect(newMatcher('=', 'a', 'x').matches('x')).toBe(true);
    expect(newMatcher('!=', 'a', 'x').matches('')).toBe(true);
    expect(newMatcher('!=', 'a', 'x').matches('x')).toBe(false);
  });

  it('regex is fully anchored', () => {
    const m = newMatcher('=~', 'a', 'b.');
    expect(m.matches('bc')).toBe(true);
    expect(m.matches('abc')).toBe(false);
    expect(m.matches('bcd')).toBe(false);
    expect(newMatcher('!~', 'a', 'b.').matches('bcd')).toBe(true);
  });

  it('anchoring wraps the whole alternation', () => {
    const m = newMatcher('=~', 'a', 'foo|bar');
    expect(m.matches('foo')).toBe(true);
    expect(m.matches('foox')).toBe(false);
    expect(m.matches('xbar')).toBe(false);
  });

  it('prints like Prometheus (Go %q)', () => {
    expect(newMatcher('=', 'job', 'api').toString()).toBe('job="api"');
    expect(newMatcher('=~', 'job', 'a\\.b"c').toString()).toBe('job=~"a\\\\.b\\"c"');
    expect(newMatcher('!~', 'x', 'tab\there\n').toString()).toBe('x!~"tab\\there\\n"');
    expect(newMatcher('!=', 'x', 'é\u00a0\u0001\u{1F600}').toString()).toBe(
      'x!="é\\u00a0\\x01\u{1F600}"',
    );
    expect(newMatcher('=', 'x', '\u200b').toString()).toBe('x="\\u200b"');
  });

  it("rejects invalid regexes with Go's message", () => {
    expect(() => newMatcher('=~', 'a', '(a')).toThrow(BadDataError);
    expect(() => newMatcher('=~', 'a', '(a')).toThrow(
      'error parsing regexp: missing closing ): `^(?:(a)$`',
    );
    expect(() => newMatcher('=~', 'a', 'a)|(b')).toThrow(
      'error parsing regexp: unexpected ): `a)|(b`',
    );
    expect(() => newMatcher('=~', 'a', '\\1')).toThrow(
      'error parsing regexp: invalid escape sequence: `\\1`',
    );
  });

  it('fast paths agree with the regex engine', () => {
    const cases: [string, string, boolean][] = [
      ['foo', 'foo', true],
      ['foo', 'fo', false],
      ['a|b|cd', 'cd', true],
      ['a|b|cd', 'c', false],
      ['foo.*', 'foobar', true],
      ['foo.*', 'foo\nbar', false],
      ['(?s)foo.*', 'foo\nbar', true],
      ['.*', '', true],
      ['.*', 'a\n', false],
      ['.+', '', false],
      ['.+', 'x', true],
      ['.*bar', 'xbar', true],
      ['.*bar', 'x\nbar', false],
      ['a.+b', 'ab', false],
      ['a.+b', 'axb', true],
      ['(?i)foo', 'FOO', true],
      ['f(o)o', 'foo', true],
      ['', '', true],
      ['', 'a', false],
      ['.*oo.*', 'foo', true],
      ['.*oo.*', 'fo\noo', false],
      ['.+oo.*', 'oo', false],
      ['.+oo.*', 'xoo', true],
      ['.*oo.+', 'oox', true],
      ['.*oo.+', 'xoo', false],
      ['.+oo.+', 'oooo', true],
      ['.+oo.+', 'ooo', false],
      ['(?s).*o\no.*', 'xo\nox', true],
      ['(?s).+o.+', 'o\no', false],
      ['(?s).+o.+', '\no\n', true],
    ];
    for (const [re, s, want] of cases)
      expect(new Matcher('=~', 'l', re).matches(s), `${re} ~ ${JSON.stringify(s)}`).toBe(want);
    expect(new Matcher('=~', 'l', 'a|b').regex!.fastPath.kind).toBe('set');
    expect(new Matcher('=~', 'l', 'foo.*').regex!.fastPath.kind).toBe('affix');
    expect(new Matcher('=~', 'l', 'fo+').regex!.fastPath.kind).toBe('regexp');
    expect(new Matcher('=~', 'l', '.*service.*').regex!.fastPath.kind).toBe('contains');
  });

  it('setMatches lists the literal alternatives of a set regex', () => {
    expect(newMatcher('=~', 'a', 'x|y|(?:z)').setMatches()).toEqual(['x', 'y', 'z']);
    expect(newMatcher('=~', 'a', 'a\\.b').setMatches()).toEqual(['a.b']);
    expect(newMatcher('=~', 'a', 'x|y.').setMatches()).toBeUndefined();
    expect(newMatcher('=~', 'a', '(?i)x|y').setMatches()).toBeUndefined();
    expect(newMatcher('!~', 'a', 'x|y').setMatches()).toBeUndefined();
    expect(newMatcher('=', 'a', 'x').setMatches()).toBeUndefined();
  });

  it('inverse flips the type', () => {
    expect(newMatcher('=~', 'a', 'x').inverse().toString()).toBe('a!~"x"');
  });
});
