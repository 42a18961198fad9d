import { describe, expect, it } from 'vitest';
import { intersectPostings, mergePostings, withoutPostings } from './postings.ts';

function rand(seed: number): () => number {
  let a = seed;
  return () => (a = (a * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

function sortedSet(r: () => number, n: number, max: number): Uint32Array {
  const s = new Set<number>();
  for (let i = 0; i < n; i++) s.add(Math.floor(r() * max));
  return Uint32Array.from([...s].sort((a, b) => a - b));
}

describe('postings set operations', () => {
  it('agree with naive set algebra', () => {
    const r = rand(7);
    for (let round = 0; round < 200; round++) {
      const k = 1 + Math.floor(r() * 5);
      const lists = Array.from({ length: k }, () =>
        sortedSet(r, Math.floor(r() * 300), 1 + Math.floor(r() * 2000)),
      );
      const sets = lists.map((l) => new Set(l));
      const union = [...new Set(lists.flatMap((l) => [...l]))].sort((a, b) => a - b);
      expect([...mergePostings(lists)]).toEqual(union);
      const inter = [...lists[0]!].filter((x) => sets.every((s) => s.has(x)));
      expect([...intersectPostings(lists)]).toEqual(inter);
      const without = [...lists[0]!].filter((x) => !(lists[1] ? sets[1]!.has(x) : false));
      expect([...withoutPostings(lists[0]!, lists[1] ?? new Uint32Array(0))]).toEqual(without);
    }
  });
  it('handles empty inputs', () => {
    expect(mergePostings([]).length).toBe(0);
    expect(intersectPostings([]).length).toBe(0);
    expect([...intersectPostings([Uint32Array.of(1, 2), new Uint32Array(0)])]).toEqual([]);
  });
});
