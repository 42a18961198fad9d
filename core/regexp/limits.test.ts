/**
 * Regex size limits (#18): a matcher or label_replace pattern longer than MAX_REGEX_LENGTH bytes is
 * refused before it is parsed; nested counted repeats and oversized programs fail as in Go
 * (test/integration/regexp/regex-oracle.test.ts checks those texts against Go itself).
 */
import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { newMatcher } from '../labels/matcher.ts';
import { parseExpr } from '../promql/parser/parse.ts';
import { MAX_REGEX_LENGTH } from './limits.ts';
import { compileSubmatch } from './submatch.ts';

const alternation = (bytes: number): string => {
  // `v0|v1|…` padded to exactly `bytes` bytes.
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const p = `${i > 0 ? '|' : ''}v${i}`;
    parts.push(p);
    n += p.length;
  }
  return parts.join('').slice(0, bytes);
};

describe('regex length limit', () => {
  it('admits a pattern of exactly MAX_REGEX_LENGTH bytes', () => {
    const re = alternation(MAX_REGEX_LENGTH);
    expect(newMatcher('=~', 'a', re).matches('v17')).toBe(true);
  });

  it('refuses a longer matcher with a clear bad_data error', () => {
    const re = alternation(MAX_REGEX_LENGTH + 1);
    expect(() => newMatcher('=~', 'a', re)).toThrow(BadDataError);
    expect(() => newMatcher('!~', 'a', re)).toThrow(
      `regexp too long: ${MAX_REGEX_LENGTH + 1} bytes exceeds the limit of ${MAX_REGEX_LENGTH} bytes`,
    );
    // Bytes, not characters: 30,000 `é` are 60,000 bytes (admitted); 33,000 are 66,000.
    expect(() => newMatcher('=~', 'a', 'é'.repeat(30_000))).not.toThrow();
    expect(() => newMatcher('=~', 'a', 'é'.repeat(33_000))).toThrow('regexp too long: 66000 bytes');
  });

  it('in a query, the parse error points at the matcher', () => {
    const q = `up{job=~"${alternation(70_000)}"}`;
    expect(() => parseExpr(q)).toThrow(/^1:4: parse error: regexp too long: 70000 bytes/);
  });

  it('label_replace patterns (and template regexes) are bounded too', () => {
    expect(() => compileSubmatch(alternation(70_000))).toThrow('regexp too long: 70000 bytes');
  });
});

describe("Go's program limits", () => {
  it('nested counted repeats multiply past 1000: invalid repeat count', () => {
    expect(() => newMatcher('=~', 'a', '(a{1000}){1000}')).toThrow(
      'error parsing regexp: invalid repeat count: `{1000}`',
    );
    expect(() => newMatcher('=~', 'a', '((a{100}){100}){100}')).toThrow('invalid repeat count');
  });

  it('a program past 3,355,443 instructions fails as in the Go Prometheus 2.42 was built with', () => {
    // Go 1.19's backported size check (CVE-2022-41715) reports ErrInternalError; "expression too
    // large" (ErrLarge) only came with Go 1.20. The regex oracle test confirms the text.
    expect(() => newMatcher('=~', 'a', `(?:${'a'.repeat(3400)}){1000}`)).toThrow(
      'error parsing regexp: regexp/syntax: internal error',
    );
  });
});
