import { describe, expect, it } from 'vitest';
import { goUnquote, UnquoteError } from './unquote.ts';

describe('goUnquote (strutil.Unquote)', () => {
  it.each([
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['`a\\nb`', 'a\\nb'],
    ['"a\\nb\\tc"', 'a\nb\tc'],
    ['"\\a\\b\\f\\v\\r\\\\"', '\x07\b\f\v\r\\'],
    ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
    ['"\\xc3\\xa9"', 'é'],
    ['"\\303\\251"', 'é'],
    ['"\\""', '"'],
    ["'\\''", "'"],
    ["'\"'", '"'],
    ['"é😀"', 'é😀'],
  ])('%s → %j', (input, out) => {
    expect(goUnquote(input)).toBe(out);
  });

  it.each([
    '"',
    '"abc',
    '"a"b"',
    "'\\\"'",
    '"\\q"',
    '"\\x4"',
    '"\\400"',
    '"a\nb"',
    '`a`b`',
    '"\\U00110000"',
  ])('rejects %j', (input) => {
    expect(() => goUnquote(input)).toThrow(UnquoteError);
  });
});
