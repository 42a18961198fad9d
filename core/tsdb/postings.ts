/**
 * @module core/tsdb/postings — set operations on postings lists: sorted, unique series refs in
 * Uint32Arrays (a v2 ref is offset/16 of a 4-byte postings entry, so it fits 32 bits).
 */

export const EMPTY_POSTINGS: Uint32Array = new Uint32Array(0);

/** Union of sorted lists. */
export function mergePostings(lists: readonly Uint32Array[]): Uint32Array {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return EMPTY_POSTINGS;
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  if (nonEmpty.length === 2) return merge2(nonEmpty[0]!, nonEmpty[1]!);
  // Many lists (a regexp over many values): concatenate, sort, deduplicate — O(n log n) with a
  // native numeric sort beats a heap in JS.
  let total = 0;
  for (const l of nonEmpty) total += l.length;
  const all = new Uint32Array(total);
  let o = 0;
  for (const l of nonEmpty) {
    all.set(l, o);
    o += l.length;
  }
  all.sort();
  let w = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[w - 1]) all[w++] = all[i]!;
  return all.subarray(0, w);
}

function merge2(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[w++] = x;
      i++;
    } else if (y < x) {
      out[w++] = y;
      j++;
    } else {
      out[w++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[w++] = a[i++]!;
  while (j < b.length) out[w++] = b[j++]!;
  return out.subarray(0, w);
}

/** Intersection of sorted lists (smallest first; galloping search in the larger ones). */
export function intersectPostings(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return EMPTY_POSTINGS;
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let cur = sorted[0]!;
  for (let k = 1; k < sorted.length && cur.length > 0; k++) cur = intersect2(cur, sorted[k]!);
  return cur;
}

function intersect2(small: Uint32Array, big: Uint32Array): Uint32Array {
  const out = new Uint32Array(small.length);
  let w = 0;
  let j = 0;
  for (let i = 0; i < small.length && j < big.length; i++) {
    const x = small[i]!;
    j = seek(big, j, x);
    if (j < big.length && big[j] === x) out[w++] = x;
  }
  return out.subarray(0, w);
}

/** First index ≥ from with a[index] ≥ x (exponential then binary search). */
function seek(a: Uint32Array, from: number, x: number): number {
  if (from >= a.length || a[from]! >= x) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < a.length && a[hi]! < x) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > a.length) hi = a.length;
  // a[lo] < x; answer in (lo, hi].
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Refs of `a` not in `b`. */
export function withoutPostings(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0 || b.length === 0) return a;
  const out = new Uint32Array(a.length);
  let w = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    j = seek(b, j, x);
    if (!(j < b.length && b[j] === x)) out[w++] = x;
  }
  return out.subarray(0, w);
}
