import { describe, expect, it } from 'vitest';
import { intersectPostings, mergePostings, withoutPostings } from './postings.ts';
import { Random } from '../../test/helpers/random.ts';

function sortedSet(r: Random, n: number, max: number): Uint32Array {
  const s = new Set<number>();
  for (let i = 0; i < n; i++) s.add(r.int(max));
  return Uint32Array.from([...s].sort((a, b) => a - b));
}

describe('postings set operations', () => {
  it('agree with naive set algebra', () => {
    const r = new Random(7);
    for (let round = 0; round < 200; round++) {
      const k = 1 + r.int(5);
      const lists = Array.from({ length: k }, () => sortedSet(r, r.int(300), 1 + r.int(2000)));
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
