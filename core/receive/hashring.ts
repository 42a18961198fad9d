/**
 * @module core/receive/hashring — which receive shard owns a series: a hash of tenant and the
 * bytes of its label fields modulo the shard count, Thanos's `hashmod` ring. Hashing the bytes as
 * sent (a series' key bytes, core/receive/series-keys.ts) needs no label decoding in the Worker; every sender that encodes
 * labels as Prometheus does (sorted, name then value) sends the same bytes for the same series.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a folded over a string's char codes (of a one-char-a-byte string: its bytes). */
export function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** FNV-1a folded over bytes[start, end): the same as over their one-char-a-byte string. */
export function fnvBytes(h: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h;
}

/** Where a tenant's series keys start hashing from. */
export function tenantSeed(tenant: string): number {
  // 0xffff never occurs in a byte string: tenant "ab"+key "c" differs from "a"+"bc".
  return Math.imul(fnvString(FNV_OFFSET, tenant) ^ 0xffff, FNV_PRIME);
}

/** The shard of a series whose key hash (fnvBytes from tenantSeed) is `hash`. */
export function shardOfHash(hash: number, count: number): number {
  return count <= 1 ? 0 : (hash >>> 0) % count;
}

/** The shard (0 ≤ i < count) of a tenant's series, from the series' raw label bytes. */
export function shardOf(tenant: string, rawKey: string, count: number): number {
  if (count <= 1) return 0;
  return shardOfHash(fnvString(tenantSeed(tenant), rawKey), count);
}
