/**
 * @module core/storeapi/merge — the one k-way merge of sorted series streams: blocks inside the
 * bucket store, stores inside the proxy. Each source is a cursor whose head is its current item;
 * the merge hands out, in order, the groups of cursors whose heads compare equal (the same series
 * from several blocks or stores), and advances a group only when the caller asks for the next.
 */

/** A sorted source with one item of lookahead. */
export interface SortedCursor<T> {
  /** The current item; undefined once the source is exhausted (or failed). */
  readonly head: T | undefined;
  /** Moves to the next item. Must not reject: a failing source ends and reports it its own way. */
  advance(): Promise<void>;
}

/**
 * Groups of cursors with equal heads, smallest first. Cursors must have been advanced once.
 * A group is advanced (concurrently) when the generator resumes, so the caller reads the heads
 * of the group it got before asking for the next one.
 */
export async function* mergeCursors<T, C extends SortedCursor<T>>(
  cursors: readonly C[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<readonly C[]> {
  const heap = new CursorHeap<T, C>(compare);
  for (const c of cursors) if (c.head !== undefined) heap.push(c);
  while (heap.size > 0) {
    const first = heap.pop();
    const group = [first];
    while (heap.size > 0 && compare(heap.peek().head!, first.head!) === 0) group.push(heap.pop());
    yield group;
    if (group.length === 1) await first.advance();
    else await Promise.all(group.map((c) => c.advance()));
    for (const c of group) if (c.head !== undefined) heap.push(c);
  }
}

/** A binary min-heap of cursors by head. */
class CursorHeap<T, C extends SortedCursor<T>> {
  readonly #items: C[] = [];
  readonly #less: (a: C, b: C) => boolean;

  constructor(compare: (a: T, b: T) => number) {
    this.#less = (a, b) => compare(a.head!, b.head!) < 0;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): C {
    return this.#items[0]!;
  }

  push(c: C): void {
    const h = this.#items;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): C {
    const h = this.#items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
