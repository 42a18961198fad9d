/**
 * @module core/block/shard — which store-gateway shard serves a block: a stable hash of the
 * block's ULID (or of its day, so one day's blocks stay together) modulo the shard count. Every
 * isolate computes the same answer with nothing shared, so a block lands on exactly one shard and
 * a new block finds its shard at the next bucket sync.
 *
 * Which blocks answer a request (resolution.ts) is not a shard's choice: every shard lists the
 * whole bucket and chooses over all of it, then serves only its own blocks of that choice (see
 * BucketStoreOptions.owns). A raw block and its downsampled copies may sit on different shards.
 */

/** 32-bit FNV-1a over the UTF-16 code units (ULIDs are ASCII). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export type ShardBy = 'block' | 'day';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ShardSpec {
  /** This shard, 0 ≤ index < count. */
  readonly index: number;
  readonly count: number;
  readonly by: ShardBy;
}

/** The shard of a block: by ULID, or by the UTC day its data starts in. */
export function shardOf(id: string, minTime: number, count: number, by: ShardBy): number {
  const key = by === 'day' ? `day:${Math.floor(minTime / DAY_MS)}` : id;
  return fnv1a32(key) % count;
}

/** `i/n` as a spec, or undefined when malformed. */
export function parseShardSpec(v: string | null | undefined, by: ShardBy): ShardSpec | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(v ?? '');
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 1024 || index >= count) return undefined;
  return { index, count, by };
}

/**
 * Whether shard `spec` serves block `id`. `meta` undefined asks about a block known only by its
 * ULID (skipped at sync: no meta, or an unreadable one): by block the ULID decides; by day there
 * is no day, so shard 0 answers for it (it is reported once, not by every shard).
 */
export function ownsBlock(
  spec: ShardSpec,
  id: string,
  meta?: { readonly minTime: number },
): boolean {
  if (spec.by === 'block') return shardOf(id, 0, spec.count, 'block') === spec.index;
  if (!meta) return spec.index === 0;
  return shardOf(id, meta.minTime, spec.count, 'day') === spec.index;
}
