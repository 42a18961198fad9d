/**
 * @module core/promql/storage/memory — an in-memory Queryable: series appended in time order,
 * selected by matchers and trimmed to the hinted time range as Prometheus's TSDB querier does.
 * Used by tests and the conformance runner (Prometheus's teststorage plays this role there).
 */
import { searchFloat64 } from '../../gocompat/sort.ts';
import { compareLabels, type Labels } from '../../labels/labels.ts';
import {
  seriesSetOf,
  type Queryable,
  type RawSeries,
  type SeriesSet,
  type SelectHints,
} from './queryable.ts';

/** What select() needs from a matcher (core/labels/matcher.ts Matcher satisfies it). */
interface MatcherLike {
  readonly name: string;
  matches(value: string): boolean;
}

interface StoredSeries {
  readonly labels: Labels;
  t: Float64Array;
  v: Float64Array;
  length: number;
}

function labelsKey(ls: Labels): string {
  let s = '';
  for (const l of ls) s += `${l.name}\xff${l.value}\xfe`;
  return s;
}

export class MemoryStorage implements Queryable {
  #series = new Map<string, StoredSeries>();
  #sorted: StoredSeries[] | undefined;

  /**
   * Appends samples to a series (created on first use). Samples not after the series' last
   * timestamp are dropped, as the TSDB head rejects out-of-order and duplicate samples.
   */
  append(labels: Labels, t: ArrayLike<number>, v: ArrayLike<number>): void {
    const key = labelsKey(labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      s = {
        labels,
        t: new Float64Array(Math.max(4, t.length)),
        v: new Float64Array(Math.max(4, t.length)),
        length: 0,
      };
      this.#series.set(key, s);
      this.#sorted = undefined;
    }
    for (let i = 0; i < t.length; i++) {
      const ts = t[i]!;
      if (s.length > 0 && ts <= s.t[s.length - 1]!) continue;
      if (s.length === s.t.length) {
        const nt = new Float64Array(s.t.length * 2);
        const nv = new Float64Array(s.t.length * 2);
        nt.set(s.t);
        nv.set(s.v); // typed-array copies keep NaN payloads (stale markers)
        s.t = nt;
        s.v = nv;
      }
      s.t[s.length] = ts;
      s.v[s.length] = v[i]!;
      s.length++;
    }
  }

  clear(): void {
    this.#series.clear();
    this.#sorted = undefined;
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  select(matchers: readonly MatcherLike[], hints: SelectHints): SeriesSet {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.#series.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    }
    const out: RawSeries[] = [];
    for (const s of this.#sorted) {
      if (!matchesAll(s.labels, matchers)) continue;
      const lo = searchFloat64(s.t, hints.start, 0, s.length);
      let hi = searchFloat64(s.t, hints.end, 0, s.length);
      if (hi < s.length && s.t[hi] === hints.end) hi++;
      if (hi <= lo) continue;
      out.push({ labels: s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
    }
    return seriesSetOf(out);
  }
}

function matchesAll(ls: Labels, matchers: readonly MatcherLike[]): boolean {
  for (const m of matchers) {
    let value = '';
    for (const l of ls) {
      if (l.name === m.name) {
        value = l.value;
        break;
      }
    }
    // A missing label matches as the empty string, as in Prometheus.
    if (!m.matches(value)) return false;
  }
  return true;
}
