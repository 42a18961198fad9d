import { describe, expect, it } from 'vitest';
import { mergeCursors, type SortedCursor } from './merge.ts';

/** A cursor over a sorted array; `id` tells it apart in groups. */
class ArrayCursor implements SortedCursor<number> {
  head: number | undefined;
  readonly id: number;
  readonly #items: readonly number[];
  #at = 0;
  constructor(id: number, items: readonly number[]) {
    this.id = id;
    this.#items = items;
  }
  async advance(): Promise<void> {
    this.head = this.#items[this.#at++];
  }
}

/** A deterministic pseudo-random generator (xorshift). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

async function merged(streams: number[][]): Promise<{ value: number; ids: number[] }[]> {
  const cursors = streams.map((s, i) => new ArrayCursor(i, s));
  await Promise.all(cursors.map((c) => c.advance()));
  const out: { value: number; ids: number[] }[] = [];
  for await (const g of mergeCursors(cursors, (a: number, b: number) => a - b)) {
    const value = g[0]!.head!;
    for (const c of g) expect(c.head).toBe(value);
    out.push({ value, ids: g.map((c) => c.id) });
  }
  return out;
}

/** What the merge must give: per distinct value, in order, the streams holding it, in order. */
function expected(streams: number[][]): { value: number; ids: number[] }[] {
  const values = [...new Set(streams.flat())].sort((a, b) => a - b);
  return values.map((value) => ({
    value,
    ids: streams.flatMap((s, i) => (s.includes(value) ? [i] : [])),
  }));
}

describe('mergeCursors', () => {
  it('groups equal heads in input order, smallest first, whatever the overlap', async () => {
    const random = rng(7);
    // From disjoint streams to every stream holding every value (blocks of one Prometheus).
    for (const share of [0, 0.05, 0.3, 0.7, 0.95, 1]) {
      for (const k of [1, 2, 3, 7, 42, 168]) {
        const universe = Array.from({ length: 60 }, (_, i) => i * 3);
        const streams = Array.from({ length: k }, () =>
          universe.filter(() => share === 1 || random() < share),
        );
        if (share === 0) streams.forEach((s, i) => s.push(1000 + i));
        expect(await merged(streams)).toEqual(expected(streams));
      }
    }
  });

  it('handles empty and exhausted cursors', async () => {
    expect(await merged([])).toEqual([]);
    expect(await merged([[], [], []])).toEqual([]);
    const streams = [[1, 2, 3], [], [3], [1, 2, 3, 4, 5], [5]];
    expect(await merged(streams)).toEqual(expected(streams));
  });
});
