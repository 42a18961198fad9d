/**
 * @module core/receive/hashring — which receive shard owns a series: a hash of tenant and the
 * bytes of its label fields modulo the shard count, Thanos's `hashmod` ring. Hashing the bytes as
 * sent (`WriteSeries.rawKey`) needs no label decoding in the Worker; every sender that encodes
 * labels as Prometheus does (sorted, name then value) sends the same bytes for the same series.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** The shard (0 ≤ i < count) of a tenant's series, from the series' raw label bytes. */
export function shardOf(tenant: string, rawKey: string, count: number): number {
  if (count <= 1) return 0;
  // 0xffff never occurs in a byte string: tenant "ab"+key "c" differs from "a"+"bc".
  const h = fnv(Math.imul(fnv(FNV_OFFSET, tenant) ^ 0xffff, FNV_PRIME), rawKey);
  return (h >>> 0) % count;
}
