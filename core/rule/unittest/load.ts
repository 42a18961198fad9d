/**
 * @module core/rule/unittest/load — a test group's input series as promql's LazyLoader holds them
 * (`load <interval>` in expanding notation), appended to storage only up to each evaluation
 * time, as promtool does before evaluating the rules at that time.
 */
import { STALE_NAN } from '../../chunkenc/stale.ts';
import type { Labels } from '../../labels/labels.ts';
import { parseSeriesSelector } from '../../labels/selector.ts';
import { labelsKey } from '../../promql/engine/series.ts';
import { STALE, expandItem, parseSeriesDesc } from '../../promql/series-desc.ts';
import type { MemoryStorage } from '../../promql/storage/memory.ts';
import type { InputSeries } from './file.ts';

interface Pending {
  readonly labels: Labels;
  readonly t: Float64Array;
  /** A typed array so staleness markers keep their NaN bits (plain arrays may canonicalise them). */
  readonly v: Float64Array;
  next: number;
}

export class LazyLoader {
  readonly #series: Pending[];

  /** Throws on a series description that does not parse. */
  constructor(input: readonly InputSeries[], interval: number) {
    // A later definition of the same series replaces an earlier one (test.go keys them by hash).
    const defs = new Map<string, Pending>();
    for (const s of input) {
      const line = `${s.series} ${s.values}`.trim();
      let desc;
      try {
        desc = parseSeriesDesc(line);
      } catch (err) {
        // A malformed series: Prometheus's parser message (same grammar as a selector's).
        if (!/^[^{]*\{[^}]*\}\s*$|^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s.series))
          parseSeriesSelector(line);
        throw err;
      }
      const { labels, items } = desc;
      const seq = items.flatMap(expandItem);
      const n = seq.filter((x) => x !== undefined).length;
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      let w = 0;
      seq.forEach((x, i) => {
        if (x === undefined) return;
        t[w] = i * interval;
        v[w++] = x === STALE ? STALE_NAN : x;
      });
      defs.set(labelsKey(labels), { labels, t, v, next: 0 });
    }
    this.#series = [...defs.values()];
  }

  /** Appends every sample at or before `ts` (ms) not appended yet. */
  appendTill(storage: MemoryStorage, ts: number): void {
    for (const s of this.#series) {
      let end = s.next;
      while (end < s.t.length && s.t[end]! <= ts) end++;
      if (end === s.next) continue;
      storage.append(s.labels, s.t.subarray(s.next, end), s.v.subarray(s.next, end));
      s.next = end;
    }
  }
}
