/**
 * @module core/tsdb/postings-for-matchers — Prometheus's `PostingsForMatchers` over one index:
 * intersect what positive matchers select, subtract what negative ones exclude. A matcher that
 * matches the empty string also selects series that lack the label (`{a=""}`, `{a!="x"}`,
 * `{a=~"x|"}`), since a missing label has the value "".
 */
import type { MatchType } from '../labels/matcher.ts';
import { ALL_POSTINGS_NAME, ALL_POSTINGS_VALUE } from './index-format.ts';
import { EMPTY_POSTINGS, intersectPostings, withoutPostings } from './postings.ts';
import type { ReadStats } from './source.ts';

/** What the index needs of a label matcher (core/labels/matcher.ts's Matcher). */
export interface PostingsMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  matches(v: string): boolean;
}

/** The postings of one label name for a set of its values (their union). */
export interface PostingsRequest {
  readonly name: string;
  readonly values: readonly string[];
}

/** The slice of IndexReader that matching needs. */
export interface PostingsSource {
  labelValues(name: string): string[];
  /** The union list of each request, all read together (one coalesced read where they lie close). */
  postingsLists(requests: readonly PostingsRequest[], stats?: ReadStats): Promise<Uint32Array[]>;
}

function isNegative(m: PostingsMatcher): boolean {
  return m.type === '!=' || m.type === '!~';
}

/**
 * Series refs selected by all matchers. Every list the matchers need is planned first and read in
 * one batch, so a selector costs one round trip to storage, not one per matcher.
 */
export async function postingsForMatchers(
  ix: PostingsSource,
  ms: readonly PostingsMatcher[],
  stats?: ReadStats,
): Promise<Uint32Array> {
  if (ms.length === 0) return EMPTY_POSTINGS;
  // Names for which some matcher rejects "": the label must be set (e.g. `{l=~".+", l!="1"}`).
  const mustBeSet = new Set<string>();
  for (const m of ms) if (!m.matches('')) mustBeSet.add(m.name);

  const values = (m: PostingsMatcher, accept: boolean): string[] =>
    m.type === '=' && accept
      ? [m.value]
      : ix.labelValues(m.name).filter((v) => m.matches(v) === accept);
  const its: PostingsRequest[] = [];
  const notIts: PostingsRequest[] = [];
  for (const m of ms) {
    const matchesEmpty = m.matches('');
    if (mustBeSet.has(m.name)) {
      // l!="foo" (negative, accepts ""): subtract the series whose value the matcher rejects.
      if (isNegative(m) && matchesEmpty) notIts.push({ name: m.name, values: values(m, false) });
      // l="x", l=~"x.+", l!="" : intersect with the series whose value it accepts.
      else its.push({ name: m.name, values: values(m, true) });
    } else {
      // l="" or a matcher accepting "": everything except series whose value it rejects.
      notIts.push({ name: m.name, values: values(m, false) });
    }
  }
  // An empty positive set empties the answer: nothing to read.
  if (its.some((r) => r.values.length === 0)) return EMPTY_POSTINGS;
  const all = its.length === 0 ? [{ name: ALL_POSTINGS_NAME, values: [ALL_POSTINGS_VALUE] }] : [];
  const lists = await ix.postingsLists([...its, ...all, ...notIts], stats);
  const positive = lists.slice(0, its.length + all.length);
  if (positive.some((l) => l.length === 0)) return EMPTY_POSTINGS;
  let it = intersectPostings(positive);
  for (const n of lists.slice(its.length + all.length)) it = withoutPostings(it, n);
  return it;
}
