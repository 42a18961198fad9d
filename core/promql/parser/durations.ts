/**
 * @module core/promql/parser/durations — the parser's rule for range, step and offset durations:
 * Prometheus's model.ParseDuration (core/gocompat/duration), and not 0.
 */
import { DurationError, parsePromDuration } from '../../gocompat/duration.ts';

/** model.ParseDuration in ms, refusing 0 as the parser does. Throws DurationError. */
export function parsePositiveDuration(s: string): number {
  const ms = parsePromDuration(s);
  if (ms === 0) throw new DurationError('duration must be greater than 0');
  return ms;
}
