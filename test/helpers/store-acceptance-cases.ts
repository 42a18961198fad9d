/**
 * @module test/helpers/store-acceptance-cases — the requests the StoreAPI acceptance suite sends
 * every store: matcher sets covering the four matcher types and their edge cases, time ranges that
 * cut chunks, hit one sample, or miss the data, and the label requests.
 */
import { newMatcher, type Matcher } from '../../core/labels/matcher.ts';
import type {
  LabelsRequest,
  PartialResponseStrategy,
  SeriesRequest,
} from '../../core/storeapi/store.ts';
import { DATA_START, STORE_DATA } from './store-acceptance-data.ts';
import { seriesRequest as rawRequest } from './series-request.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const m = newMatcher;

/** A match-everything selector, with a non-external matcher as a sidecar requires. */
export const ALL_SERIES: readonly Matcher[] = [m('=~', '__name__', '.+')];

/** Matcher sets, each with at least one matcher not on an external label (as a sidecar requires). */
export const MATCHER_CASES: readonly (readonly [string, readonly Matcher[]])[] = [
  ['= on the metric name', [m('=', '__name__', 'http_requests_total')]],
  ['= with !=', [m('=', '__name__', 'http_requests_total'), m('!=', 'job', 'api')]],
  [
    '=~ is anchored (api does not match api-2)',
    [m('=~', 'job', 'api'), m('=~', '__name__', 'http_.*')],
  ],
  [
    '=~ alternation, also matching an absent label',
    [m('=~', '__name__', 'temp.*|queue_.+'), m('=~', 'room', 'k.*|')],
  ],
  [
    '!~ excludes metric names',
    [m('!~', '__name__', 'http_requests_total|temperature|queue_depth')],
  ],
  ['{a=""} selects series without a', [m('=', 'a', ''), m('=', '__name__', 'queue_depth')]],
  ['{a=""} alone', [m('=', 'a', '')]],
  ['{a!="x"} includes series without a', [m('!=', 'a', 'x'), m('=', '__name__', 'queue_depth')]],
  [
    '{a=~"x|"} matches x and absent',
    [m('=~', 'a', 'x|'), m('=~', '__name__', 'queue_depth|special')],
  ],
  ['{a!~""} only series with a', [m('!~', 'a', '')]],
  ['non-ASCII value', [m('=', 'room', 'küche')]],
  [
    'regex over non-ASCII values',
    [m('=~', 'room', 'k(ü|it)che.?'), m('=', '__name__', 'temperature')],
  ],
  ['= on an external label', [m('=', 'cluster', 'eu-1'), m('=', '__name__', 'temperature')]],
  ['=~ on an external label that fails', [m('=~', 'cluster', 'us-.*'), m('=~', '__name__', '.+')]],
  ['!= on an external label that fails', [m('!=', 'env', 'prod'), m('=~', '__name__', '.+')]],
  ['nothing matches', [m('=', '__name__', 'no_such_metric')]],
  ['every series', [m('=~', '__name__', '.+')]],
];

export interface TimeRange {
  readonly name: string;
  readonly minTime: number;
  readonly maxTime: number;
  /** Before or after all data: no block or head overlaps it. */
  readonly outside?: true;
}

/** One sample's time of the first series (a point-in-time range hits it exactly). */
// A sample time in the middle of the data (series 2 runs the whole span).
const POINT = STORE_DATA.series[2]!.t[700]!;

export const TIME_RANGES: readonly TimeRange[] = [
  { name: 'the data range', minTime: STORE_DATA.minTime, maxTime: STORE_DATA.maxTime },
  {
    name: 'wider than the data',
    minTime: STORE_DATA.minTime - HOUR,
    maxTime: STORE_DATA.maxTime + HOUR,
  },
  { name: 'the first hour', minTime: STORE_DATA.minTime, maxTime: DATA_START + HOUR },
  {
    name: 'a window cutting chunks',
    minTime: DATA_START + 137 * MINUTE + 7,
    maxTime: DATA_START + 221 * MINUTE,
  },
  { name: 'the last 80 minutes', minTime: DATA_START + 280 * MINUTE, maxTime: STORE_DATA.maxTime },
  { name: 'one millisecond at a sample', minTime: POINT, maxTime: POINT },
  {
    name: 'before the data',
    minTime: STORE_DATA.minTime - 2 * HOUR,
    maxTime: STORE_DATA.minTime - 1,
    outside: true,
  },
  {
    name: 'after the data',
    minTime: STORE_DATA.maxTime + 1,
    maxTime: STORE_DATA.maxTime + 2 * HOUR,
    outside: true,
  },
];

export function seriesRequest(
  matchers: readonly Matcher[],
  range: TimeRange,
  over: Partial<SeriesRequest> = {},
): SeriesRequest {
  return rawRequest(matchers, range.minTime, range.maxTime, over);
}

export function labelsRequest(
  matchers: readonly Matcher[],
  range: TimeRange,
  strategy: PartialResponseStrategy = 'abort',
): LabelsRequest {
  return { start: range.minTime, end: range.maxTime, matchers, partialResponseStrategy: strategy };
}

export const LABEL_CASES: readonly (readonly [string, readonly Matcher[]])[] = [
  ['no matchers', []],
  ['a metric name', [m('=', '__name__', 'queue_depth')]],
  ['early and late series', [m('=~', '__name__', 'early_only|late_only')]],
  ['{a!="x"}', [m('!=', 'a', 'x'), m('=', '__name__', 'queue_depth')]],
  ['an external label', [m('=', 'cluster', 'eu-1'), m('=', '__name__', 'temperature')]],
  ['an external label that fails', [m('=', 'cluster', 'other'), m('=~', '__name__', '.+')]],
  ['nothing matches', [m('=', '__name__', 'no_such_metric')]],
];

export const LABEL_NAMES_TO_ASK = ['__name__', 'job', 'a', 'room', 'cluster', 'no_such_label'];
