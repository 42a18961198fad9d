/**
 * @module core/storeapi/prune — decides whether a store can hold series for a request, from its
 * advertised time range and external label sets (Thanos's store matching in the proxy).
 */
import type { Labels } from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import type { StoreInfo } from './store.ts';

export function overlapsTime(info: StoreInfo, minTime: number, maxTime: number): boolean {
  return info.minTime <= maxTime && info.maxTime >= minTime;
}

/**
 * A label set is ruled out when a matcher on one of its labels rejects that label's value. Labels
 * the set does not carry are left to the store (its series carry them). A store with no label sets
 * always matches.
 */
export function labelSetMatches(set: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) {
    const l = set.find((x) => x.name === m.name);
    if (l && !m.matches(l.value)) return false;
  }
  return true;
}

export function storeMatches(info: StoreInfo, matchers: readonly Matcher[]): boolean {
  if (info.labelSets.length === 0) return true;
  return info.labelSets.some((set) => labelSetMatches(set, matchers));
}
