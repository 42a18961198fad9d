/**
 * @module test/helpers/store-acceptance — one conformance suite every Store implementation must
 * pass (as Thanos runs its store acceptance test over every store): info, series sorted and unique,
 * the four matcher types (regex anchoring, empty-matching matchers, external labels), time-range
 * pruning of series and chunks, skipChunks, label names and values with and without matchers and
 * time ranges, partial-response strategies where the store can fail, and an abort signal ending a
 * series stream. Call `storeApiAcceptance` inside a vitest file; it registers a `describe` block.
 *
 * Every store is loaded with the same data set (store-acceptance-data.ts) and every expected
 * answer is computed here from that data set and the request, never written down. Where Thanos
 * allows an approximate answer (label names and values are block- or store-granular in time; a
 * sidecar answers its external label's value whatever the matchers), the suite checks both bounds:
 * everything the data requires, nothing the data cannot explain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeXor, xorSampleCount } from '../../core/chunkenc/xor.ts';
import {
  compareLabels,
  compareStrings,
  getLabel,
  labelsToString,
  type Labels,
} from '../../core/labels/labels.ts';
import { newMatcher, type Matcher } from '../../core/labels/matcher.ts';
import type {
  LabelsRequest,
  LabelsResponse,
  PartialResponseStrategy,
  SeriesFrame,
  SeriesRequest,
  Store,
} from '../../core/storeapi/store.ts';
import type { DataSeries, StoreDataSet } from './store-acceptance-data.ts';
import { DATA_START, STORE_DATA } from './store-acceptance-data.ts';

export interface StoreFixture {
  readonly store: Store;
  /** Stops what the fixture started (servers, processes) and removes its files. */
  teardown(): Promise<void>;
}

/** The contract's cases, by name, for `knownViolations`. */
export type ContractCase =
  | 'info'
  | 'series'
  | 'skipChunks'
  | 'labelNames'
  | 'labelValues'
  | 'partialResponse'
  | 'abortSignal';

export interface StoreAcceptanceOptions {
  /**
   * A store of the same kind holding the same data set plus one part that fails when read (a
   * corrupt block, a dead backend store). With `warn` it must answer the data and a warning; with
   * `abort` the request must fail. Left out for stores with no part that can fail on its own.
   */
  readonly makeFaulty?: (data: StoreDataSet) => Promise<StoreFixture>;
  /**
   * Cases this store is known to fail, each with the reason. They run as `it.fails`: the
   * assertions stay as they are, and fixing the store makes the case fail until its entry goes.
   */
  readonly knownViolations?: Partial<Record<ContractCase, string>>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Longest wait for one store call; a hang is a failure, not a stuck test run. */
const CALL_TIMEOUT_MS = 30_000;

const m = newMatcher;

/** Matcher sets, each with at least one matcher not on an external label (as a sidecar requires). */
const MATCHER_CASES: readonly (readonly [string, readonly Matcher[]])[] = [
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

interface TimeRange {
  readonly name: string;
  readonly minTime: number;
  readonly maxTime: number;
}

/** One sample's time of the first series (a point-in-time range hits it exactly). */
const POINT = STORE_DATA.series[0]!.t[700]!;

const TIME_RANGES: readonly TimeRange[] = [
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
  },
  {
    name: 'after the data',
    minTime: STORE_DATA.maxTime + 1,
    maxTime: STORE_DATA.maxTime + 2 * HOUR,
  },
];

const OUTSIDE = new Set(['before the data', 'after the data']);

function seriesRequest(
  matchers: readonly Matcher[],
  range: TimeRange,
  over: Partial<SeriesRequest> = {},
): SeriesRequest {
  return {
    minTime: range.minTime,
    maxTime: range.maxTime,
    matchers,
    maxResolutionWindow: 0,
    aggregates: ['raw'],
    partialResponseStrategy: 'abort',
    skipChunks: false,
    ...over,
  };
}

function labelsRequest(
  matchers: readonly Matcher[],
  range: TimeRange,
  strategy: PartialResponseStrategy = 'abort',
): LabelsRequest {
  return { start: range.minTime, end: range.maxTime, matchers, partialResponseStrategy: strategy };
}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer in ${CALL_TIMEOUT_MS}ms`)),
      CALL_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function collect(frames: AsyncIterable<SeriesFrame>, what: string): Promise<SeriesFrame[]> {
  const out: SeriesFrame[] = [];
  const it = frames[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await within(it.next(), what);
      if (r.done) return out;
      out.push(r.value);
    }
  } finally {
    await it.return?.();
  }
}

/** Series of the data set with the external labels added (none clash with a series' own). */
function withExternal(s: DataSeries, data: StoreDataSet): Labels {
  return [...s.labels, ...data.externalLabels].sort((a, b) => compareStrings(a.name, b.name));
}

function matching(
  data: StoreDataSet,
  matchers: readonly Matcher[],
): { labels: Labels; s: DataSeries }[] {
  return data.series
    .map((s) => ({ labels: withExternal(s, data), s }))
    .filter(({ labels }) => matchers.every((x) => x.matches(getLabel(labels, x.name))))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}

function samplesIn(s: DataSeries, minTime: number, maxTime: number): { t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < s.t.length; i++) {
    if (s.t[i]! >= minTime && s.t[i]! <= maxTime) {
      t.push(s.t[i]!);
      v.push(s.v[i]!);
    }
  }
  return { t, v };
}

/** Whether a chunk of this series could overlap the range without a sample in it (samples on both sides). */
function mayBridge(s: DataSeries, minTime: number, maxTime: number): boolean {
  return s.t[0]! < minTime && s.t[s.t.length - 1]! > maxTime;
}

function decodeChunk(data: Uint8Array): { t: Float64Array; v: Float64Array } {
  const n = xorSampleCount(data);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const got = decodeXor(data, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, t, v, 0);
  return { t: t.subarray(0, got), v: v.subarray(0, got) };
}

/**
 * Checks a series answer against the data set: sorted, unique, exactly the matching series with
 * samples in the range (plus, allowed, a series whose chunk may span the range without a sample in
 * it), every chunk overlapping the range and holding the data's samples, and all samples in the
 * range present. Chunks of overlapping blocks or stores may repeat samples; they must agree.
 */
function checkSeries(
  frames: readonly SeriesFrame[],
  data: StoreDataSet,
  matchers: readonly Matcher[],
  range: TimeRange,
  opts: { skipChunks: boolean; warnings: 'none' | 'some' },
): Labels[] {
  const ctx = `${matchers.join(', ')} over ${range.name}`;
  const warnings = frames.flatMap((f) => (f.type === 'warning' ? [f.warning] : []));
  if (opts.warnings === 'none') expect(warnings, `${ctx}: warnings`).toEqual([]);
  else expect(warnings.length, `${ctx}: warnings`).toBeGreaterThan(0);
  const got = frames.flatMap((f) => (f.type === 'series' ? [f] : []));
  // Problems are collected and asserted once: an expect per sample would dominate the run time.
  const problems: string[] = [];
  for (let i = 1; i < got.length; i++) {
    if (compareLabels(got[i - 1]!.labels, got[i]!.labels) >= 0)
      problems.push(
        `${labelsToString(got[i]!.labels)} after ${labelsToString(got[i - 1]!.labels)}`,
      );
  }
  const want = new Map<string, { s: DataSeries; required: boolean }>();
  for (const { labels, s } of matching(data, matchers)) {
    const inRange = samplesIn(s, range.minTime, range.maxTime).t.length > 0;
    if (inRange || mayBridge(s, range.minTime, range.maxTime))
      want.set(labelsToString(labels), { s, required: inRange });
  }
  const seen = new Set<string>();
  for (const f of got) {
    const key = labelsToString(f.labels);
    const w = want.get(key);
    if (!w) {
      problems.push(`unexpected series ${key}`);
      continue;
    }
    seen.add(key);
    if (opts.skipChunks) {
      if (f.chunks.length > 0)
        problems.push(`${key}: ${f.chunks.length} chunks despite skipChunks`);
      continue;
    }
    const samples = new Map<number, number>();
    for (const c of f.chunks) {
      const span = `${key} chunk [${c.minTime}, ${c.maxTime}]`;
      if (c.maxTime < range.minTime || c.minTime > range.maxTime)
        problems.push(`${span} outside the range`);
      if (c.raw?.encoding !== 'XOR') {
        problems.push(`${span}: encoding ${c.raw?.encoding}`);
        continue;
      }
      const d = decodeChunk(c.raw.data);
      if (d.t.length === 0 || d.t[0]! < c.minTime || d.t[d.t.length - 1]! > c.maxTime)
        problems.push(`${span} holds ${d.t.length} samples, from ${d.t[0]} to ${d.t.at(-1)}`);
      const index = sampleIndex(w.s);
      for (let i = 0; i < d.t.length; i++) {
        const at = index.get(d.t[i]!);
        if (at === undefined)
          problems.push(`${span}: a sample at ${d.t[i]} the data does not have`);
        else if (!Object.is(d.v[i], w.s.v[at]))
          problems.push(`${span}: at ${d.t[i]} ${d.v[i]} instead of ${w.s.v[at]}`);
        else if (d.t[i]! >= range.minTime && d.t[i]! <= range.maxTime)
          samples.set(d.t[i]!, d.v[i]!);
      }
    }
    const t = [...samples.keys()].sort((a, b) => a - b);
    const wantT = samplesIn(w.s, range.minTime, range.maxTime).t;
    if (t.length !== wantT.length || t.some((x, i) => x !== wantT[i]))
      problems.push(`${key}: ${t.length} samples in the range instead of ${wantT.length}`);
  }
  for (const [key, w] of want) if (w.required && !seen.has(key)) problems.push(`missing ${key}`);
  expect(problems.slice(0, 20), `${ctx}: ${problems.length} problems`).toEqual([]);
  return got.map((f) => f.labels);
}

const indexes = new WeakMap<DataSeries, Map<number, number>>();

/** Sample position by timestamp, per data series (built once). */
function sampleIndex(s: DataSeries): Map<number, number> {
  let index = indexes.get(s);
  if (!index) {
    index = new Map();
    for (let i = 0; i < s.t.length; i++) index.set(s.t[i]!, i);
    indexes.set(s, index);
  }
  return index;
}

/** Label names (or values of `name`) the data requires for a request, and those it can explain. */
function labelBounds(
  data: StoreDataSet,
  matchers: readonly Matcher[],
  range: TimeRange,
  name: string | undefined,
): { required: Set<string>; allowed: Set<string> } {
  const required = new Set<string>();
  const allowed = new Set<string>();
  const add = (into: Set<string>, ls: Labels): void => {
    for (const l of ls) if (name === undefined) into.add(l.name);
    if (name !== undefined && getLabel(ls, name) !== '') into.add(getLabel(ls, name));
  };
  for (const { labels, s } of matching(data, matchers)) {
    add(allowed, labels);
    if (samplesIn(s, range.minTime, range.maxTime).t.length > 0) add(required, labels);
  }
  // Stores answer external labels from their configuration, not from series (Thanos's sidecar
  // returns its external label's value for any matchers): those are always explained.
  add(allowed, data.externalLabels);
  // Outside the data no block or head overlaps: only external labels can come back.
  if (OUTSIDE.has(range.name)) {
    for (const v of [...allowed]) {
      const ext = data.externalLabels.some((l) =>
        name === undefined ? l.name === v : l.name === name && l.value === v,
      );
      if (!ext) allowed.delete(v);
    }
  }
  return { required, allowed };
}

function checkLabels(
  res: LabelsResponse,
  bounds: { required: Set<string>; allowed: Set<string> },
  ctx: string,
): void {
  expect(res.values, `${ctx}: sorted and unique`).toEqual(
    [...new Set(res.values)].sort(compareStrings),
  );
  for (const v of bounds.required) expect(res.values, `${ctx}: missing ${v}`).toContain(v);
  for (const v of res.values) expect(bounds.allowed.has(v), `${ctx}: unexpected ${v}`).toBe(true);
}

const LABEL_CASES: readonly (readonly [string, readonly Matcher[]])[] = [
  ['no matchers', []],
  ['a metric name', [m('=', '__name__', 'queue_depth')]],
  ['early and late series', [m('=~', '__name__', 'early_only|late_only')]],
  ['{a!="x"}', [m('!=', 'a', 'x'), m('=', '__name__', 'queue_depth')]],
  ['an external label', [m('=', 'cluster', 'eu-1'), m('=', '__name__', 'temperature')]],
  ['an external label that fails', [m('=', 'cluster', 'other'), m('=~', '__name__', '.+')]],
  ['nothing matches', [m('=', '__name__', 'no_such_metric')]],
];

const LABEL_NAMES_TO_ASK = ['__name__', 'job', 'a', 'room', 'cluster', 'no_such_label'];

export function storeApiAcceptance(
  name: string,
  makeStore: (data: StoreDataSet) => Promise<StoreFixture>,
  options: StoreAcceptanceOptions = {},
): void {
  const data = STORE_DATA;
  const known = options.knownViolations ?? {};
  /** `it`, or `it.fails` for a known violation (the reason is in the test name). */
  const contract = (c: ContractCase, title: string, fn: () => Promise<void>): void => {
    const reason = known[c];
    if (reason) it.fails(`${title} [known violation: ${reason}]`, fn);
    else it(title, fn);
  };

  describe(`StoreAPI acceptance: ${name}`, () => {
    let fixture: StoreFixture | undefined;
    const store = (): Store => fixture!.store;
    beforeAll(async () => {
      fixture = await makeStore(data);
    });
    afterAll(async () => {
      await fixture?.teardown();
    });

    contract('info', 'info: the external label set, a time range covering the data', async () => {
      const info = await within(store().info(), 'info');
      const sets = info.labelSets.map(labelsToString);
      expect(sets, 'label sets (unique)').toEqual([labelsToString(data.externalLabels)]);
      expect(info.minTime, 'minTime').toBeLessThanOrEqual(data.minTime);
      expect(info.maxTime, 'maxTime').toBeGreaterThanOrEqual(data.maxTime);
    });

    describe('series', () => {
      for (const [title, matchers] of MATCHER_CASES) {
        contract(
          'series',
          `${title}: exactly the matching series and samples, in every time range`,
          async () => {
            for (const range of TIME_RANGES) {
              const ctx = `${title} over ${range.name}`;
              const frames = await collect(store().series(seriesRequest(matchers, range)), ctx);
              checkSeries(frames, data, matchers, range, { skipChunks: false, warnings: 'none' });
            }
          },
        );
      }

      contract('series', 'every series of the data set once, with all its samples', async () => {
        const all = [m('=~', '__name__', '.+')];
        const range = TIME_RANGES[1]!;
        const frames = await collect(store().series(seriesRequest(all, range)), 'all series');
        const labels = checkSeries(frames, data, all, range, {
          skipChunks: false,
          warnings: 'none',
        });
        expect(labels.map(labelsToString)).toEqual(
          matching(data, all).map((x) => labelsToString(x.labels)),
        );
      });

      contract('skipChunks', 'skipChunks: the same series, without chunks', async () => {
        for (const [title, matchers] of MATCHER_CASES) {
          for (const range of TIME_RANGES) {
            const ctx = `${title} over ${range.name}`;
            const withChunks = await collect(store().series(seriesRequest(matchers, range)), ctx);
            const skipped = await collect(
              store().series(seriesRequest(matchers, range, { skipChunks: true })),
              `${ctx} (skipChunks)`,
            );
            checkSeries(skipped, data, matchers, range, { skipChunks: true, warnings: 'none' });
            const names = (fs: SeriesFrame[]) =>
              fs.flatMap((f) => (f.type === 'series' ? [labelsToString(f.labels)] : []));
            expect(names(skipped), `${ctx}: skipChunks changes the series`).toEqual(
              names(withChunks),
            );
          }
        }
      });
    });

    describe('labels', () => {
      contract(
        'labelNames',
        'label names with and without matchers, in every time range',
        async () => {
          for (const [title, matchers] of LABEL_CASES) {
            for (const range of TIME_RANGES) {
              const ctx = `label names, ${title}, over ${range.name}`;
              const res = await within(store().labelNames(labelsRequest(matchers, range)), ctx);
              expect(res.warnings, ctx).toEqual([]);
              checkLabels(res, labelBounds(data, matchers, range, undefined), ctx);
            }
          }
        },
      );

      contract('labelNames', 'label names over the data without matchers: every name', async () => {
        const res = await within(
          store().labelNames(labelsRequest([], TIME_RANGES[1]!)),
          'label names',
        );
        const want = new Set(data.externalLabels.map((l) => l.name));
        for (const s of data.series) for (const l of s.labels) want.add(l.name);
        expect(res.values).toEqual([...want].sort(compareStrings));
      });

      contract(
        'labelValues',
        'label values with and without matchers, in every time range',
        async () => {
          for (const label of LABEL_NAMES_TO_ASK) {
            for (const [title, matchers] of LABEL_CASES) {
              for (const range of TIME_RANGES) {
                const ctx = `values of ${label}, ${title}, over ${range.name}`;
                const res = await within(
                  store().labelValues(label, labelsRequest(matchers, range)),
                  ctx,
                );
                expect(res.warnings, ctx).toEqual([]);
                checkLabels(res, labelBounds(data, matchers, range, label), ctx);
              }
            }
          }
        },
      );
    });

    if (options.makeFaulty) {
      const makeFaulty = options.makeFaulty;
      describe('partial response', () => {
        let faulty: StoreFixture | undefined;
        beforeAll(async () => {
          faulty = await makeFaulty(data);
        });
        afterAll(async () => {
          await faulty?.teardown();
        });
        const all = [m('=~', '__name__', '.+')];
        const range = TIME_RANGES[1]!;

        contract(
          'partialResponse',
          'warn: the healthy data and a warning naming the failure',
          async () => {
            const frames = await collect(
              faulty!.store.series(seriesRequest(all, range, { partialResponseStrategy: 'warn' })),
              'series (warn)',
            );
            checkSeries(frames, data, all, range, { skipChunks: false, warnings: 'some' });
            const names = await within(
              faulty!.store.labelNames(labelsRequest([], range, 'warn')),
              'label names (warn)',
            );
            expect(names.warnings.length, 'label names: warnings').toBeGreaterThan(0);
            checkLabels(names, labelBounds(data, [], range, undefined), 'label names (warn)');
            const jobs = await within(
              faulty!.store.labelValues('job', labelsRequest(all, range, 'warn')),
              'label values (warn)',
            );
            expect(jobs.warnings.length, 'label values: warnings').toBeGreaterThan(0);
            checkLabels(jobs, labelBounds(data, all, range, 'job'), 'label values (warn)');
          },
        );

        contract('partialResponse', 'abort: the request fails', async () => {
          await expect(
            collect(
              faulty!.store.series(seriesRequest(all, range, { partialResponseStrategy: 'abort' })),
              'series (abort)',
            ),
          ).rejects.toThrow();
          await expect(
            within(
              faulty!.store.labelNames(labelsRequest([], range, 'abort')),
              'label names (abort)',
            ),
          ).rejects.toThrow();
          await expect(
            within(
              faulty!.store.labelValues('job', labelsRequest(all, range, 'abort')),
              'label values (abort)',
            ),
          ).rejects.toThrow();
        });
      });
    }

    describe('cancellation', () => {
      const all = [m('=~', '__name__', '.+')];
      const range = TIME_RANGES[1]!;

      contract(
        'abortSignal',
        'aborting the signal mid-stream ends the stream with an error',
        async () => {
          const ctl = new AbortController();
          const it = store().series(seriesRequest(all, range), ctl.signal)[Symbol.asyncIterator]();
          let series = 0;
          let error: unknown;
          try {
            for (;;) {
              const r = await within(it.next(), 'series before the abort');
              expect(r.done, 'the stream ended before the first series').toBe(false);
              if (r.value!.type === 'series') break;
            }
            series = 1;
            ctl.abort(new Error('acceptance: aborted by the caller'));
            // Frames already buffered may still come; the stream must then fail, not end as if whole.
            for (;;) {
              const r = await within(it.next(), 'series after the abort');
              if (r.done) break;
              if (r.value.type === 'series') series++;
            }
          } catch (err) {
            error = err;
          } finally {
            await it.return?.()?.catch(() => undefined);
          }
          expect(
            error,
            `the stream ended normally after ${series} of ${data.series.length} series`,
          ).toBeDefined();
          expect(String(error)).not.toMatch(/no answer in/);
          expect(series).toBeLessThan(data.series.length);
        },
      );

      contract(
        'abortSignal',
        'an already aborted signal fails the stream before any series',
        async () => {
          const ctl = new AbortController();
          ctl.abort(new Error('acceptance: aborted before the call'));
          let series = 0;
          const err = await within(
            (async () => {
              for await (const f of store().series(seriesRequest(all, range), ctl.signal))
                if (f.type === 'series') series++;
            })(),
            'series with an aborted signal',
          ).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err, `the stream answered ${series} series`).toBeDefined();
          expect(String(err)).not.toMatch(/no answer in/);
          expect(series).toBe(0);
        },
      );
    });
  });
}
