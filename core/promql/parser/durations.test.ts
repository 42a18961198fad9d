import { describe, expect, it } from 'vitest';
import { DurationError } from '../../gocompat/duration.ts';
import { parsePositiveDuration } from './durations.ts';

describe('parsePositiveDuration', () => {
  it('is model.ParseDuration that also rejects zero', () => {
    expect(() => parsePositiveDuration('0s')).toThrow('duration must be greater than 0');
    expect(() => parsePositiveDuration('0')).toThrow(DurationError);
    expect(() => parsePositiveDuration('1.5s')).toThrow('not a valid duration string: "1.5s"');
    expect(parsePositiveDuration('1s')).toBe(1000);
    expect(parsePositiveDuration('1d2h')).toBe(93_600_000);
  });
});
