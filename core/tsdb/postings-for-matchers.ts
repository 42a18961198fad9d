/**
 * @module core/tsdb/postings-for-matchers — Prometheus's `PostingsForMatchers` over one index:
 * intersect what positive matchers select, subtract what negative ones exclude. A matcher that
 * matches the empty string also selects series that lack the label (`{a=""}`, `{a!="x"}`,
 * `{a=~"x|"}`), since a missing label has the value "".
 */
import type { MatchType } from '../labels/matcher.ts';
import { EMPTY_POSTINGS, intersectPostings, withoutPostings } from './postings.ts';

/** What the index needs of a label matcher (core/labels/matcher.ts's Matcher). */
export interface PostingsMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  matches(v: string): boolean;
}

/** The slice of IndexReader that matching needs. */
export interface PostingsSource {
  labelValues(name: string): string[];
  postings(name: string, values: readonly string[]): Promise<Uint32Array>;
  allPostings(): Promise<Uint32Array>;
}

function isNegative(m: PostingsMatcher): boolean {
  return m.type === '!=' || m.type === '!~';
}

/** Postings of series with label `m.name` whose value `m` matches. */
function postingsForMatcher(ix: PostingsSource, m: PostingsMatcher): Promise<Uint32Array> {
  // Fast path: no need to list values.
  if (m.type === '=') return ix.postings(m.name, [m.value]);
  return ix.postings(
    m.name,
    ix.labelValues(m.name).filter((v) => m.matches(v)),
  );
}

/** Postings of series with label `m.name` whose value `m` does NOT match. */
function inversePostingsForMatcher(ix: PostingsSource, m: PostingsMatcher): Promise<Uint32Array> {
  return ix.postings(
    m.name,
    ix.labelValues(m.name).filter((v) => !m.matches(v)),
  );
}

export async function postingsForMatchers(
  ix: PostingsSource,
  ms: readonly PostingsMatcher[],
): Promise<Uint32Array> {
  if (ms.length === 0) return EMPTY_POSTINGS;
  // Names for which some matcher rejects "": the label must be set (e.g. `{l=~".+", l!="1"}`).
  const mustBeSet = new Set<string>();
  for (const m of ms) if (!m.matches('')) mustBeSet.add(m.name);

  const its: Uint32Array[] = [];
  const notIts: Uint32Array[] = [];
  for (const m of ms) {
    const matchesEmpty = m.matches('');
    if (mustBeSet.has(m.name)) {
      const neg = isNegative(m);
      if (neg && matchesEmpty) {
        // l!="foo": subtract series where the value is what the inverse matcher selects.
        notIts.push(
          await ix.postings(
            m.name,
            ix.labelValues(m.name).filter((v) => !m.matches(v)),
          ),
        );
      } else if (neg && !matchesEmpty) {
        // l!="" (inner matcher matches ""): series whose value the matcher accepts.
        const it = await ix.postings(
          m.name,
          ix.labelValues(m.name).filter((v) => m.matches(v)),
        );
        if (it.length === 0) return EMPTY_POSTINGS;
        its.push(it);
      } else {
        const it = await postingsForMatcher(ix, m);
        if (it.length === 0) return EMPTY_POSTINGS;
        its.push(it);
      }
    } else {
      // l="" or a matcher accepting "": select everything except series whose value it rejects.
      notIts.push(await inversePostingsForMatcher(ix, m));
    }
  }
  if (its.length === 0 && notIts.length > 0) its.push(await ix.allPostings());
  let it = intersectPostings(its);
  for (const n of notIts) it = withoutPostings(it, n);
  return it;
}
