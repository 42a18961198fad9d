/**
 * @module core/gocompat/heap — Go's `container/heap` Push and Pop (with its up and down sifts) on
 * an array. Prometheus breaks ties by whatever order this exact heap yields — which of equal
 * values topk keeps, how samples with equal timestamps from overlapping blocks interleave in
 * promtool's dump — so matching its output needs the same algorithm, not just any heap.
 */

/** heap.Push: append, then sift up. */
export function heapPush<T>(h: T[], x: T, less: (a: T, b: T) => boolean): void {
  h.push(x);
  let j = h.length - 1;
  for (;;) {
    const i = Math.trunc((j - 1) / 2); // Go's integer division truncates toward zero: 0 → 0
    if (i === j || !less(h[j]!, h[i]!)) break;
    const t = h[i]!;
    h[i] = h[j]!;
    h[j] = t;
    j = i;
  }
}

/** heap.Pop: swap the root to the end, sift the new root down over the rest, remove the end. */
export function heapPop<T>(h: T[], less: (a: T, b: T) => boolean): T {
  const n = h.length - 1;
  let t = h[0]!;
  h[0] = h[n]!;
  h[n] = t;
  let i = 0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    t = h[i]!;
    h[i] = h[j]!;
    h[j] = t;
    i = j;
  }
  return h.pop()!;
}
