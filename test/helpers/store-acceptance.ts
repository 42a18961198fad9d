/**
 * @module test/helpers/store-acceptance — one conformance suite every Store implementation must
 * pass (as Thanos runs its store acceptance test over every store): info, series sorted and unique,
 * the four matcher types (regex anchoring, empty-matching matchers, external labels), time-range
 * pruning of series and chunks, skipChunks, label names and values with and without matchers and
 * time ranges, partial-response strategies where the store can fail, and an abort signal ending a
 * series stream. Call `storeApiAcceptance` inside a vitest file; it registers a `describe` block.
 *
 * Every store is loaded with the same data set (store-acceptance-data.ts), asked the same
 * requests (store-acceptance-cases.ts), and every expected answer is computed from that data set
 * and the request (store-acceptance-expect.ts), never written down. Where Thanos allows an
 * approximate answer (label names and values are block- or store-granular in time; a sidecar
 * answers its external label's value whatever the matchers), the suite checks both bounds:
 * everything the data requires, nothing the data cannot explain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStrings, labelsToString } from '../../core/labels/labels.ts';
import type { SeriesFrame, Store } from '../../core/storeapi/store.ts';
import {
  ALL_SERIES,
  LABEL_CASES,
  LABEL_NAMES_TO_ASK,
  MATCHER_CASES,
  TIME_RANGES,
  labelsRequest,
  seriesRequest,
} from './store-acceptance-cases.ts';
import { checkLabels, checkSeries, labelBounds, matching } from './store-acceptance-expect.ts';
import { STORE_DATA, type StoreDataSet } from './store-acceptance-data.ts';

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

/** Longest wait for one store call; a hang is a failure, not a stuck test run. */
const CALL_TIMEOUT_MS = 30_000;

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
        const range = TIME_RANGES[1]!;
        const frames = await collect(
          store().series(seriesRequest(ALL_SERIES, range)),
          'all series',
        );
        const labels = checkSeries(frames, data, ALL_SERIES, range, {
          skipChunks: false,
          warnings: 'none',
        });
        expect(labels.map(labelsToString)).toEqual(
          matching(data, ALL_SERIES).map((x) => labelsToString(x.labels)),
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
        const range = TIME_RANGES[1]!;

        contract(
          'partialResponse',
          'warn: the healthy data and a warning naming the failure',
          async () => {
            const frames = await collect(
              faulty!.store.series(
                seriesRequest(ALL_SERIES, range, { partialResponseStrategy: 'warn' }),
              ),
              'series (warn)',
            );
            checkSeries(frames, data, ALL_SERIES, range, { skipChunks: false, warnings: 'some' });
            const names = await within(
              faulty!.store.labelNames(labelsRequest([], range, 'warn')),
              'label names (warn)',
            );
            expect(names.warnings.length, 'label names: warnings').toBeGreaterThan(0);
            checkLabels(names, labelBounds(data, [], range, undefined), 'label names (warn)');
            const jobs = await within(
              faulty!.store.labelValues('job', labelsRequest(ALL_SERIES, range, 'warn')),
              'label values (warn)',
            );
            expect(jobs.warnings.length, 'label values: warnings').toBeGreaterThan(0);
            checkLabels(jobs, labelBounds(data, ALL_SERIES, range, 'job'), 'label values (warn)');
          },
        );

        contract('partialResponse', 'abort: the request fails', async () => {
          await expect(
            collect(
              faulty!.store.series(
                seriesRequest(ALL_SERIES, range, { partialResponseStrategy: 'abort' }),
              ),
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
              faulty!.store.labelValues('job', labelsRequest(ALL_SERIES, range, 'abort')),
              'label values (abort)',
            ),
          ).rejects.toThrow();
        });
      });
    }

    describe('cancellation', () => {
      const range = TIME_RANGES[1]!;

      contract(
        'abortSignal',
        'aborting the signal mid-stream ends the stream with an error',
        async () => {
          const ctl = new AbortController();
          const it = store()
            .series(seriesRequest(ALL_SERIES, range), ctl.signal)
            [Symbol.asyncIterator]();
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
              for await (const f of store().series(seriesRequest(ALL_SERIES, range), ctl.signal))
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
