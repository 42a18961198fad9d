import { describe, expect, it } from 'vitest';
import {
  DurationError,
  formatDuration,
  parseDuration,
  parsePositiveDuration,
} from './durations.ts';

describe('parseDuration (model.ParseDuration)', () => {
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
  ])('%s = %d ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
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
  ])('%j fails with %j', (s, message) => {
    expect(() => parseDuration(s)).toThrow(DurationError);
    expect(() => parseDuration(s)).toThrow(message);
  });

  it('the parser additionally rejects zero', () => {
    expect(() => parsePositiveDuration('0s')).toThrow('duration must be greater than 0');
    expect(parsePositiveDuration('1s')).toBe(1000);
  });
});

describe('formatDuration (model.Duration.String)', () => {
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
    expect(formatDuration(ms)).toBe(s);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 61_000, 3_723_004, 8 * 86_400_000, 400 * 86_400_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
