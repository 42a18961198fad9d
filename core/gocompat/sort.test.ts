import { describe, expect, it } from 'vitest';
import { heapPop, heapPush } from './heap.ts';
import {
  goRanksFloat64NaNFirst,
  goSort,
  goSortFloat64,
  goSortSlice,
  lessNaNFirst,
} from './sort.ts';

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

describe('Go pdqsort', () => {
  it('sorts any length, including the insertion, heap-sort and pattern-breaking paths', () => {
    const rnd = lcg(7);
    for (const n of [0, 1, 2, 12, 13, 50, 51, 200, 5000]) {
      for (const shape of ['random', 'sorted', 'reversed', 'few'] as const) {
        const x = Array.from({ length: n }, (_, i) =>
          shape === 'random'
            ? rnd()
            : shape === 'sorted'
              ? i
              : shape === 'reversed'
                ? n - i
                : Math.floor(rnd() * 3),
        );
        const want = [...x].sort((a, b) => a - b);
        goSortSlice(x, (a, b) => a < b);
        expect(x).toEqual(want);
      }
    }
  });

  it('sort.Sort over indices and a Float64Array with a NaN-first Less', () => {
    const a = new Float64Array([3, NaN, 1, 2, NaN, 0]);
    goSortFloat64(a, a.length, (x, y) => Number.isNaN(x) || x < y);
    expect(Array.from(a.subarray(0, 2)).every(Number.isNaN)).toBe(true);
    expect(Array.from(a.subarray(2))).toEqual([0, 1, 2, 3]);
    const keys = ['c', 'a', 'b'];
    goSort(
      keys.length,
      (i, j) => keys[i]! < keys[j]!,
      (i, j) => ([keys[i], keys[j]] = [keys[j]!, keys[i]!]),
    );
    expect(keys).toEqual(['a', 'b', 'c']);
  });
});

describe('container/heap', () => {
  it('pops in Less order', () => {
    const rnd = lcg(11);
    const h: number[] = [];
    const xs = Array.from({ length: 300 }, () => Math.floor(rnd() * 50));
    for (const x of xs) heapPush(h, x, (a, b) => a < b);
    const out: number[] = [];
    while (h.length > 0) out.push(heapPop(h, (a, b) => a < b));
    expect(out).toEqual([...xs].sort((a, b) => a - b));
  });

  it('keeps Go’s sift order among equal keys', () => {
    // Traced through Go's up()/down(): after 0 is pushed the array is [0, 1b, 1a]; popping 0
    // swaps 1a to the root, where a strict Less keeps it, so 1a comes out before 1b.
    const h: Array<[number, string]> = [];
    const less = (a: [number, string], b: [number, string]) => a[0] < b[0];
    for (const e of [
      [1, 'a'],
      [1, 'b'],
      [0, 'c'],
    ] as Array<[number, string]>)
      heapPush(h, e, less);
    expect([heapPop(h, less), heapPop(h, less), heapPop(h, less)].map((e) => e[1])).toEqual([
      'c',
      'a',
      'b',
    ]);
  });

  it('goRanksFloat64NaNFirst leaves at both ranks the bits Go’s sort leaves there', () => {
    const rnd = lcg(23);
    const nanBits = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer)[0]!;
    const bits = (x: number): bigint => new BigUint64Array(Float64Array.of(x).buffer)[0]!;
    let selected = 0;
    for (let round = 0; round < 3000; round++) {
      const n = 1 + Math.floor(rnd() * (round % 10 === 0 ? 700 : 80));
      const kind = round % 5;
      const special =
        kind === 0
          ? [NaN, nanBits, -0, 0]
          : kind === 1
            ? [0, Infinity, -Infinity]
            : kind === 2
              ? [-0, Infinity]
              : kind === 3
                ? [0, -0]
                : [];
      // Few distinct values (many ties) or many.
      const spread = rnd() < 0.5 ? 8 : 1e6;
      const a = Float64Array.from({ length: n }, () =>
        special.length > 0 && rnd() < 0.2
          ? special[Math.floor(rnd() * special.length)]!
          : Math.floor(rnd() * spread) - spread / 2,
      );
      const want = a.slice();
      goSortFloat64(want, n, lessNaNFirst);
      const lower = Math.floor(rnd() * n);
      const upper = Math.min(n - 1, lower + Math.floor(rnd() * 2));
      const got = a.slice();
      goRanksFloat64NaNFirst(got, n, lower, upper);
      expect([bits(got[lower]!), bits(got[upper]!)], `round ${round}`).toEqual([
        bits(want[lower]!),
        bits(want[upper]!),
      ]);
      // The same values, reordered.
      const multiset = (x: Float64Array): BigUint64Array =>
        new BigUint64Array(x.slice().buffer).sort();
      expect(multiset(got)).toEqual(multiset(a));
      if (!a.some((x) => Number.isNaN(x))) selected++;
    }
    expect(selected).toBeGreaterThan(1000);
  });

  it('goRanksFloat64NaNFirst selects right on ordered, reversed, constant and organ-pipe input', () => {
    const n = 20_001;
    const shapes: Record<string, (i: number) => number> = {
      ascending: (i) => i,
      descending: (i) => n - i,
      constant: () => 7,
      organPipe: (i) => Math.min(i, n - i),
      sawtooth: (i) => i % 97,
      twoValues: (i) => (i % 3 === 0 ? -0 : 1),
    };
    for (const [name, f] of Object.entries(shapes)) {
      const a = Float64Array.from({ length: n }, (_, i) => f(i));
      const want = a.slice().sort();
      for (const lower of [0, 1, n >> 2, n >> 1, n - 2, n - 1]) {
        const upper = Math.min(n - 1, lower + 1);
        const got = a.slice();
        goRanksFloat64NaNFirst(got, n, lower, upper);
        expect([got[lower], got[upper]], `${name} at ${lower}`).toEqual([want[lower], want[upper]]);
      }
    }
  });
});
