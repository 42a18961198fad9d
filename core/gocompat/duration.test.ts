import { describe, expect, it } from 'vitest';
import {
  DurationError,
  formatPromDuration,
  goFormatDuration,
  goDurationSeconds,
  goParseDuration,
  parsePromDuration,
} from './duration.ts';

describe('parsePromDuration (model.ParseDuration)', () => {
  it.each([
    ['0', 0],
    ['1ms', 1],
    ['5s', 5000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    [
      '1y2w3d4h5m6s7ms',
      31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6000 + 7,
    ],
    ['292y', 292 * 31_536_000_000],
    // The largest: int64 nanoseconds in whole milliseconds.
    ['9223372036854ms', 9_223_372_036_854],
    ['106751d23h47m16s854ms', 9_223_372_036_854],
  ])('%s = %d ms', (s, ms) => {
    expect(parsePromDuration(s)).toBe(ms);
  });

  it.each([
    ['', 'empty duration string'],
    ['5', 'not a valid duration string: "5"'],
    ['1h1d', 'not a valid duration string: "1h1d"'],
    ['1h1h', 'not a valid duration string: "1h1h"'],
    ['1.5h', 'not a valid duration string: "1.5h"'],
    ['-5m', 'not a valid duration string: "-5m"'],
    ['5M', 'not a valid duration string: "5M"'],
    ['293y', 'duration out of range'],
    ['106752d', 'duration out of range'],
    ['99999999999999999999s', 'duration out of range'],
    ['9223372036855ms', 'duration out of range'],
    ['106751d23h47m16s855ms', 'duration out of range'],
    ['9'.repeat(400) + 'ms', 'duration out of range'],
  ])('%j fails with %j', (s, message) => {
    expect(() => parsePromDuration(s)).toThrow(DurationError);
    expect(() => parsePromDuration(s)).toThrow(message);
  });
});

describe('formatPromDuration (model.Duration.String)', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [1500, '1s500ms'],
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [7 * 86_400_000, '1w'],
    [14 * 86_400_000, '2w'],
    [90 * 86_400_000, '90d'],
    [365 * 86_400_000, '1y'],
    [366 * 86_400_000, '366d'],
    [730 * 86_400_000, '2y'],
    [86_400_000 + 1, '1d1ms'],
  ])('%d ms → %s', (ms, s) => {
    expect(formatPromDuration(ms)).toBe(s);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 61_000, 3_723_004, 8 * 86_400_000, 400 * 86_400_000]) {
      expect(parsePromDuration(formatPromDuration(ms))).toBe(ms);
    }
  });
});

describe('goParseDuration (time.ParseDuration, in ms)', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['+5s', 5000],
    ['-1.5h', -5_400_000],
    ['1h2m3s', 3_723_000],
    ['30s1m', 90_000],
    ['1.5s', 1500],
    ['.5m', 30_000],
    ['1.s', 1000],
    ['1500us', 1],
    ['1999999ns', 1],
    ['2\u00b5s', 0],
    ['300ms', 300],
    ['2562047h47m16.854775807s', 9_223_372_036_854],
  ])('%s = %d ms', (s, ms) => {
    expect(goParseDuration(s)).toBe(ms);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['.s', 'time: invalid duration ".s"'],
    ['s', 'time: invalid duration "s"'],
    ['1..5s', 'time: missing unit in duration "1..5s"'],
    ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
    ['1é', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
  ])('%j fails with %j', (s, message) => {
    expect(() => goParseDuration(s)).toThrow(DurationError);
    expect(() => goParseDuration(s)).toThrow(message);
  });
});

describe('goFormatDuration (time.Duration.String of whole ms)', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [999, '999ms'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [7_200_000, '2h0m0s'],
    [3_723_004, '1h2m3.004s'],
    [-1500, '-1.5s'],
  ])('%d ms → %s', (ms, s) => {
    expect(goFormatDuration(ms)).toBe(s);
  });
});

describe('goDurationSeconds (Duration.Seconds() of ms)', () => {
  it('adds the whole seconds and the nanosecond rest', () => {
    expect(goDurationSeconds(300_000)).toBe(300);
    expect(goDurationSeconds(1_100)).toBe(1 + 0.1);
    expect(goDurationSeconds(-1_500)).toBe(-1.5);
  });
});
