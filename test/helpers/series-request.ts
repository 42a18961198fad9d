/**
 * @module test/helpers/series-request — a raw-data Series request over [minTime, maxTime], for
 * tests that ask a store directly; `over` changes any other field.
 */
import type { Matcher } from '../../core/labels/matcher.ts';
import type { SeriesRequest } from '../../core/storeapi/store.ts';

export function seriesRequest(
  matchers: readonly Matcher[],
  minTime: number,
  maxTime: number,
  over: Partial<SeriesRequest> = {},
): SeriesRequest {
  return {
    minTime,
    maxTime,
    matchers,
    maxResolutionWindow: 0,
    aggregates: ['raw'],
    partialResponseStrategy: 'abort',
    skipChunks: false,
    ...over,
  };
}
