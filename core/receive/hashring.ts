/**
 * @module core/receive/hashring — which receive shard owns a series: a hash of tenant and labels
 * modulo the shard count, Thanos's `hashmod` ring. FNV-1a over the label strings' UTF-16 units:
 * no bytes to build per series, and a spread as even as the ring needs.
 */
import type { Labels } from '../labels/labels.ts';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  // A separator no label string contains, so ("ab","c") and ("a","bc") differ.
  return Math.imul(h ^ 0xffff, FNV_PRIME);
}

/** The shard (0 ≤ i < count) of a tenant's series. */
export function shardOf(tenant: string, labels: Labels, count: number): number {
  if (count <= 1) return 0;
  let h = fnv(FNV_OFFSET, tenant);
  for (const l of labels) h = fnv(fnv(h, l.name), l.value);
  return (h >>> 0) % count;
}
