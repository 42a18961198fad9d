/**
 * @module core/tsdb/index-labels — label names and values restricted to the series a set of
 * matchers selects (StoreAPI `LabelNames`/`LabelValues` with matchers, Prometheus's
 * `labelNamesWithMatchers` / `labelValuesWithMatchers`). Without matchers they come straight
 * from the postings offset table.
 */
import type { IndexReader } from './index-reader.ts';
import type { PostingsMatcher } from './postings-for-matchers.ts';
import { intersectPostings } from './postings.ts';

/** Series read per batch when collecting label names. */
const SERIES_BATCH = 512;

/** Values of `name` on at least one series the matchers select; sorted. */
export async function labelValuesFor(
  ix: IndexReader,
  name: string,
  matchers: readonly PostingsMatcher[],
): Promise<string[]> {
  const values = ix.labelValues(name);
  if (matchers.length === 0 || values.length === 0) return values;
  const selected = await ix.postingsForMatchers(matchers);
  if (selected.length === 0) return [];
  const per = await ix.postingsPerValue(name, values);
  return values.filter((v) => {
    const p = per.get(v);
    return p !== undefined && intersectPostings([p, selected]).length > 0;
  });
}

/** Label names of the series the matchers select; sorted. */
export async function labelNamesFor(
  ix: IndexReader,
  matchers: readonly PostingsMatcher[],
): Promise<string[]> {
  if (matchers.length === 0) return ix.labelNames();
  const selected = await ix.postingsForMatchers(matchers);
  const names = new Set<string>();
  for (let i = 0; i < selected.length; i += SERIES_BATCH) {
    for (const s of await ix.seriesBatch(selected.subarray(i, i + SERIES_BATCH))) {
      for (const l of s.labels) names.add(l.name);
    }
  }
  // The postings table lists names in sorted order: keep that order.
  return ix.labelNames().filter((n) => names.has(n));
}
