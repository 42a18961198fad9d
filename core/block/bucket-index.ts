/**
 * @module core/block/bucket-index — what a store (or a store shard) knows about its blocks, in two
 * objects a fresh isolate reads instead of one meta.json and one index header per block (the
 * Cortex/Thanos "bucket index", plus a pack of index headers):
 *
 *   `thanos-edge-bucket-index/<scope>.json`            the index: every block's meta, its deletion
 *                                                      mark's time, and where its index header
 *                                                      sits in the pack
 *   `thanos-edge-bucket-index/<scope>.<gen>.headers`   the pack: index headers end to end, in
 *                                                      block time order (a query's blocks are
 *                                                      one run of it: one range read)
 *
 * The index is only a cache of the bucket: the listing stays the truth (a block the listing does
 * not show is not served, a deletion mark the index does not know is read), so a stale, missing
 * or corrupt index costs reads, never a deleted block. A pack is never overwritten (each has its
 * own generation), so an index always points at the pack it was written with. The directory is
 * not a ULID: Thanos and its tools ignore it.
 *
 * The index also keeps each block's files as the listing showed them, so an index written less
 * than a sync interval ago can stand in for a listing (see MetaFetcher's `trustIndexFor`).
 */
import { errorMessage } from '../errors.ts';
import { getAll, type Bucket } from '../objstore/bucket.ts';
import { isNotFound } from '../objstore/errors.ts';
import { parseMeta, serializeMeta, type BlockMeta } from '../tsdb/meta.ts';

export const BUCKET_INDEX_DIR = 'thanos-edge-bucket-index';
export const BUCKET_INDEX_VERSION_1 = 1;

/** Where a block's index header sits in the pack. */
export interface PackedHeader {
  /** The pack object's key. */
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

export interface BucketIndexEntry {
  readonly meta: BlockMeta;
  /** Unix seconds of the block's deletion mark, when it has one. */
  readonly deletionMark?: number;
  readonly header?: PackedHeader;
  /** The block's files (paths inside its directory) in the listing the index was written from. */
  readonly files?: ReadonlySet<string>;
}

export interface BucketIndex {
  /** Unix ms of the listing the index was written from. */
  readonly updatedAt: number;
  readonly blocks: ReadonlyMap<string, BucketIndexEntry>;
  /** Block directories that listing showed without a meta.json (partial uploads), sorted. */
  readonly partial?: readonly string[];
}

/** The index object of a scope (`all`, or a shard such as `shard-0-of-4-block`). */
export function bucketIndexKey(scope: string): string {
  return `${BUCKET_INDEX_DIR}/${scope}.json`;
}

interface IndexJson {
  version: number;
  updated_at: number;
  pack?: string;
  partial?: string[];
  blocks: Array<{
    meta: unknown;
    deletion_mark?: number;
    header?: [number, number];
    files?: string[];
  }>;
}

/** What the writers put in the index: a block's meta, mark and listed files. */
export interface IndexedBlock {
  readonly meta: BlockMeta;
  readonly deletionMark?: number;
  readonly files?: ReadonlySet<string>;
}

/**
 * The scope's index, or undefined when it is missing or cannot be used (a corrupt index is
 * reported through `log` and treated as missing: the caller falls back to the listing).
 */
export async function readBucketIndex(
  bucket: Bucket,
  scope: string,
  log?: (msg: string) => void,
): Promise<BucketIndex | undefined> {
  const key = bucketIndexKey(scope);
  let bytes: Uint8Array;
  try {
    bytes = await getAll(bucket, key);
  } catch (err) {
    if (!isNotFound(err)) log?.(`bucket index ${key}: not read: ${errorMessage(err)}`);
    return undefined;
  }
  try {
    return parseBucketIndex(bytes);
  } catch (err) {
    log?.(`bucket index ${key}: ignored: ${errorMessage(err)}`);
    return undefined;
  }
}

export function parseBucketIndex(bytes: Uint8Array): BucketIndex {
  const raw = JSON.parse(
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes),
  ) as IndexJson;
  if (raw?.version !== BUCKET_INDEX_VERSION_1 || !Array.isArray(raw.blocks)) {
    throw new Error(`unexpected version ${JSON.stringify(raw?.version)} or no blocks`);
  }
  if (!Number.isSafeInteger(raw.updated_at)) throw new Error('updated_at is not an integer');
  const blocks = new Map<string, BucketIndexEntry>();
  for (const b of raw.blocks) {
    const meta = parseMeta(JSON.stringify(b.meta));
    const h = b.header;
    const header =
      raw.pack && Array.isArray(h) && h.length === 2 && h.every((n) => Number.isSafeInteger(n))
        ? { pack: raw.pack, offset: h[0], length: h[1] }
        : undefined;
    const mark = typeof b.deletion_mark === 'number' ? b.deletion_mark : undefined;
    const files =
      Array.isArray(b.files) && b.files.every((f) => typeof f === 'string')
        ? new Set(b.files)
        : undefined;
    blocks.set(meta.ulid, {
      meta,
      ...(mark !== undefined ? { deletionMark: mark } : {}),
      ...(header ? { header } : {}),
      ...(files ? { files } : {}),
    });
  }
  const partial =
    Array.isArray(raw.partial) && raw.partial.every((id) => typeof id === 'string')
      ? [...raw.partial].sort()
      : undefined;
  return { updatedAt: raw.updated_at, blocks, ...(partial ? { partial } : {}) };
}

/**
 * Writes a new pack of `headers` (block → index header bytes, in the order of `entries`) and then
 * the index pointing at it; the pack first, so an index never names a pack not yet written. The
 * previous pack, if `previousPack` names one, is deleted afterwards (an isolate still holding the
 * old index falls back to the blocks' own header objects). Returns the index as written.
 */
export async function writeBucketIndex(
  bucket: Bucket,
  scope: string,
  updatedAt: number,
  entries: ReadonlyArray<IndexedBlock>,
  headers: ReadonlyMap<string, Uint8Array>,
  previousPack?: string,
  partial: readonly string[] = [],
): Promise<BucketIndex> {
  const ordered = inTimeOrder(entries);
  const parts: Uint8Array[] = [];
  const at = new Map<string, [number, number]>();
  let size = 0;
  for (const e of ordered) {
    const h = headers.get(e.meta.ulid);
    if (!h) continue;
    at.set(e.meta.ulid, [size, h.length]);
    parts.push(h);
    size += h.length;
  }
  let pack: string | undefined;
  if (size > 0) {
    pack = `${BUCKET_INDEX_DIR}/${scope}.${updatedAt.toString(36)}-${randomTag()}.headers`;
    const body = new Uint8Array(size);
    let off = 0;
    for (const p of parts) {
      body.set(p, off);
      off += p.length;
    }
    await bucket.upload(pack, body);
  }
  const sortedPartial = [...partial].sort();
  await bucket.upload(
    bucketIndexKey(scope),
    indexBytes(updatedAt, ordered, pack, at, sortedPartial),
  );
  if (previousPack && previousPack !== pack) {
    await bucket.delete(previousPack).catch(() => undefined);
  }
  const blocks = new Map<string, BucketIndexEntry>();
  for (const e of ordered) {
    const h = at.get(e.meta.ulid);
    blocks.set(e.meta.ulid, {
      ...e,
      ...(h && pack ? { header: { pack, offset: h[0], length: h[1] } } : {}),
    });
  }
  return { updatedAt, blocks, partial: sortedPartial };
}

/**
 * Writes the index again with a new `updatedAt` (a listing found it still true), its pack and
 * header places as they are: one small write, no pack read or written.
 */
export async function touchBucketIndex(
  bucket: Bucket,
  scope: string,
  index: BucketIndex,
  updatedAt: number,
): Promise<BucketIndex> {
  const ordered = inTimeOrder([...index.blocks.values()]);
  const at = new Map<string, [number, number]>();
  let pack: string | undefined;
  for (const e of index.blocks.values()) {
    if (!e.header) continue;
    pack ??= e.header.pack;
    if (e.header.pack === pack) at.set(e.meta.ulid, [e.header.offset, e.header.length]);
  }
  const partial = index.partial ?? [];
  await bucket.upload(bucketIndexKey(scope), indexBytes(updatedAt, ordered, pack, at, partial));
  return { updatedAt, blocks: index.blocks, partial };
}

function inTimeOrder<T extends IndexedBlock>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) => a.meta.minTime - b.meta.minTime || (a.meta.ulid < b.meta.ulid ? -1 : 1),
  );
}

function indexBytes(
  updatedAt: number,
  ordered: readonly IndexedBlock[],
  pack: string | undefined,
  at: ReadonlyMap<string, [number, number]>,
  partial: readonly string[],
): Uint8Array {
  const json: IndexJson = {
    version: BUCKET_INDEX_VERSION_1,
    updated_at: updatedAt,
    ...(pack ? { pack } : {}),
    partial: [...partial],
    blocks: ordered.map((e) => ({
      meta: JSON.parse(serializeMeta(e.meta)) as unknown,
      ...(e.deletionMark !== undefined ? { deletion_mark: e.deletionMark } : {}),
      ...(at.has(e.meta.ulid) ? { header: at.get(e.meta.ulid)! } : {}),
      ...(e.files ? { files: [...e.files].sort() } : {}),
    })),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

function randomTag(): string {
  const b = crypto.getRandomValues(new Uint8Array(4));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
