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
 * Groups of cursors with equal heads, smallest first, each group in the order the cursors were
 * given. Cursors must have been advanced once. A group is advanced (concurrently) when the
 * generator resumes, so the caller reads the heads of the group it got before asking for the next.
 */
export async function* mergeCursors<T, C extends SortedCursor<T>>(
  cursors: readonly C[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<readonly C[]> {
  const heap = new CursorHeap<T, C>(cursors, compare);
  while (heap.size > 0) {
    const group = heap.takeSmallest();
    const members = group.map((i) => cursors[i]!);
    yield members;
    if (members.length === 1) await members[0]!.advance();
    else await Promise.all(members.map((c) => c.advance()));
    heap.readd(group);
  }
}

/**
 * A binary min-heap of cursors (by their index in the input) ordered by head, taking out all the
 * smallest at once. The items equal to the smallest form a subtree at the root, found with a
 * compare per node and child. Blocks of one Prometheus hold mostly the same series, so a group
 * is often every cursor: then the heap is rebuilt (about 2n compares) instead of popping and
 * pushing each (about 2 log n apiece).
 */
class CursorHeap<T, C extends SortedCursor<T>> {
  readonly #cursors: readonly C[];
  #items: number[] = [];
  readonly #compare: (a: T, b: T) => number;
  /** Items were appended without restoring the heap order. */
  #unordered = true;
  /** The last group was every cursor: the next one likely is too. */
  #lastAll = false;

  constructor(cursors: readonly C[], compare: (a: T, b: T) => number) {
    this.#cursors = cursors;
    this.#compare = compare;
    cursors.forEach((c, i) => {
      if (c.head !== undefined) this.#items.push(i);
    });
  }

  get size(): number {
    return this.#items.length;
  }

  /** Puts back the cursors of a group that still have a head. */
  readd(group: readonly number[]): void {
    if (group.length === 1) {
      if (this.#cursors[group[0]!]!.head !== undefined) this.#push(group[0]!);
      return;
    }
    for (const i of group) if (this.#cursors[i]!.head !== undefined) this.#items.push(i);
    this.#unordered = true;
  }

  /** Removes and returns (in input order) every cursor whose head equals the smallest head. */
  takeSmallest(): number[] {
    if (this.#unordered && this.#lastAll && this.#allEqual()) {
      // The same series again in every block: n - 1 compares instead of a heap rebuild.
      const all = this.#items;
      this.#items = [];
      return sortSmall(all);
    }
    if (this.#unordered) this.#heapify();
    const h = this.#items;
    const cs = this.#cursors;
    const top = cs[h[0]!]!.head!;
    const equal = [0];
    for (let k = 0; k < equal.length; k++) {
      const l = 2 * equal[k]! + 1;
      if (l < h.length && this.#compare(cs[h[l]!]!.head!, top) === 0) equal.push(l);
      if (l + 1 < h.length && this.#compare(cs[h[l + 1]!]!.head!, top) === 0) equal.push(l + 1);
    }
    this.#lastAll = equal.length === h.length;
    if (equal.length === 1) return [this.#pop()];
    let group: number[];
    if (equal.length === h.length) {
      // Every cursor (the same series in every block): the heap is emptied.
      group = h;
      this.#items = [];
      this.#unordered = true;
    } else if (equal.length * Math.log2(h.length) < h.length) {
      // A few of many: pop them (they are the smallest, so the pops return exactly them).
      group = [];
      for (let k = 0; k < equal.length; k++) group.push(this.#pop());
    } else {
      group = equal.map((at) => h[at]!);
      // Taken out from the highest position down: the last item, moved into a freed position,
      // is never one still to be taken out.
      sortSmall(equal);
      for (let k = equal.length - 1; k >= 0; k--) {
        h[equal[k]!] = h[h.length - 1]!;
        h.pop();
      }
      this.#unordered = true;
    }
    return sortSmall(group);
  }

  /** Whether every item's head equals the first's (stops at the first that does not). */
  #allEqual(): boolean {
    const h = this.#items;
    const cs = this.#cursors;
    if (h.length === 0) return false;
    const first = cs[h[0]!]!.head!;
    for (let i = 1; i < h.length; i++)
      if (this.#compare(cs[h[i]!]!.head!, first) !== 0) return false;
    return true;
  }

  #less(a: number, b: number): boolean {
    return this.#compare(this.#cursors[a]!.head!, this.#cursors[b]!.head!) < 0;
  }

  #heapify(): void {
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    this.#unordered = false;
  }

  #push(c: number): void {
    if (this.#unordered) {
      this.#items.push(c);
      return;
    }
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

  #pop(): number {
    const h = this.#items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftDown(i: number): void {
    const h = this.#items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Sorts a few numbers in place, ascending (insertion sort: no allocation, unlike Array#sort). */
function sortSmall(a: number[]): number[] {
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    for (; j >= 0 && a[j]! > x; j--) a[j + 1] = a[j]!;
    a[j + 1] = x;
  }
  return a;
}
