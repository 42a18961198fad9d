/**
 * @module core/block/meta-fetcher — discovers the blocks of a bucket (Thanos's MetaFetcher): one
 * recursive listing tells every block's files, each meta.json is read once (blocks are
 * immutable), a deletion mark only where the listing shows one. Blocks without meta.json are
 * partial uploads; blocks whose deletion mark is older than the delay are on their way out;
 * unparsable blocks are reported, never fatal. A filter (a store shard's share) is applied before
 * anything is read.
 *
 * With a bucket index scope (core/block/bucket-index.ts), a fresh fetcher reads the scope's index
 * while it lists, and takes metas, deletion marks and index-header locations from it: one read
 * instead of one per block. The listing still decides which blocks exist. When the index no
 * longer matches the listing, the fetcher writes a new one in the background. With
 * `trustIndexFor`, an index written from a listing younger than that is taken as the listing:
 * a fresh isolate's view is then as old as a warm one's may be, and it lists nothing.
 */
import { errorMessage } from '../errors.ts';
import { getAll, type Bucket } from '../objstore/bucket.ts';
import { isNotFound } from '../objstore/errors.ts';
import { META_FILENAME, parseMeta, type BlockMeta } from '../tsdb/meta.ts';
import { DELETION_MARK_FILENAME, parseDeletionMark } from './markers.ts';
import { listBlockFiles } from './block-listing.ts';
import { forEachLimit } from './concurrency.ts';
import {
  readBucketIndex,
  touchBucketIndex,
  writeBucketIndex,
  type BucketIndex,
  type IndexedBlock,
  type PackedHeader,
} from './bucket-index.ts';
import { INDEX_HEADER_OBJECT } from './block-set.ts';

export type SkipReason =
  | 'partial'
  | 'marked-for-deletion'
  | 'corrupt-meta'
  | 'fetch-failed'
  /** Found corrupt by a read (index or chunks): listed, but its data cannot be trusted. */
  | 'corrupt'
  /** Its sources all lie in another block (a compaction's output) served instead. */
  | 'duplicate';

export interface SkippedBlock {
  readonly id: string;
  readonly reason: SkipReason;
  readonly detail: string;
}

export interface SyncResult {
  /** Usable blocks by ULID. */
  readonly metas: ReadonlyMap<string, BlockMeta>;
  /** Each usable block's files, as paths inside its directory (`index`, `chunks/000001`, …). */
  readonly files: ReadonlyMap<string, ReadonlySet<string>>;
  readonly skipped: readonly SkippedBlock[];
  /** Unix ms of the sync. */
  readonly at: number;
  /** Where usable blocks' index headers sit in the bucket index's header pack, if known. */
  readonly headers?: ReadonlyMap<string, PackedHeader>;
}

export interface MetaFetcherOptions {
  /** Blocks marked for deletion longer ago than this are ignored (Thanos `--ignore-deletion-marks-delay`, 24h). */
  readonly deletionMarkDelay?: number;
  /** meta.json reads in flight at once. */
  readonly concurrency?: number;
  /**
   * Only blocks for which this is true are served (a store shard's share of the bucket). Called
   * once with the ULID before anything is read (return undefined to decide on the meta), then,
   * if needed, with the meta.
   */
  readonly filter?: (id: string, meta?: BlockMeta) => boolean | undefined;
  /**
   * Which blocks' index headers go into the bucket index's header pack (default: all it lists):
   * a store shard lists every meta but opens only its own blocks.
   */
  readonly packFilter?: (id: string, meta: BlockMeta) => boolean;
  readonly now?: () => number;
  /**
   * Keep a bucket index for this scope (`all`, or the shard's name): read it on the first sync,
   * rewrite it when the listing shows blocks it lacks or no longer has. Off by default.
   */
  readonly indexScope?: string;
  /**
   * With `indexScope`: a fresh fetcher whose index was written from a listing less than this
   * many ms ago takes the index as that listing (no listing of its own until then plus the
   * store's sync interval), and a listing that finds the index true but older than half this
   * renews its time. Set it to the store's sync interval: blocks then appear within one
   * interval, as they do for a store that lists itself. 0 (default): always list.
   */
  readonly trustIndexFor?: number;
  /** Where index problems are reported (a corrupt index, a failed write). */
  readonly log?: (msg: string) => void;
}

interface PendingSync {
  readonly metas: Map<string, BlockMeta>;
  readonly files: Map<string, ReadonlySet<string>>;
  readonly skipped: SkippedBlock[];
  readonly at: number;
}

function newSyncResult(at: number): PendingSync {
  return { metas: new Map(), files: new Map(), skipped: [], at };
}

/** Listed block directories without a meta.json, sorted. */
function partialIds(listed: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const out: string[] = [];
  for (const [id, files] of listed) if (!files.has(META_FILENAME)) out.push(id);
  return out.sort();
}

function partialBlock(id: string): SkippedBlock {
  return {
    id,
    reason: 'partial',
    detail: `block ${id}: no meta.json (partial or in-progress upload)`,
  };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export const DEFAULT_DELETION_MARK_DELAY = 24 * 60 * 60 * 1000;

export class MetaFetcher {
  readonly #bucket: Bucket;
  readonly #opts: MetaFetcherOptions;
  /** Metas never change; a block once read is not read again. */
  readonly #known = new Map<string, BlockMeta>();
  readonly #marks = new Map<string, number>();
  /** The bucket index as last read or written (undefined until then, or when there is none). */
  #index: BucketIndex | undefined;
  #indexRead = false;
  /** Set once a write failed (a read-only bucket): the index is then only read. */
  #writeFailed = false;
  /** Set when a request could not read the index's header pack: the next sync rewrites it. */
  #packUnreadable = false;
  /** The background index write, while one runs. */
  #writing: Promise<void> | undefined;

  constructor(bucket: Bucket, options: MetaFetcherOptions = {}) {
    this.#bucket = bucket;
    this.#opts = options;
  }

  async sync(): Promise<SyncResult> {
    const now = (this.#opts.now ?? Date.now)();
    const scope = this.#opts.indexScope;
    const first = scope !== undefined && !this.#indexRead;
    const trust = this.#opts.trustIndexFor ?? 0;
    let listed: Map<string, Set<string>>;
    if (first && trust > 0) {
      // The index first: written from a listing recent enough, it stands in for one.
      this.#indexRead = true;
      this.#index = await readBucketIndex(this.#bucket, scope, this.#opts.log);
      const fromIndex = this.#index && (await this.#syncFromIndex(this.#index, now, trust));
      if (fromIndex) return fromIndex;
      listed = await this.#list();
    } else {
      // The index is read once, alongside the first listing; later syncs know the metas already.
      const [l, read] = await Promise.all([
        this.#list(),
        first ? readBucketIndex(this.#bucket, scope, this.#opts.log) : undefined,
      ]);
      listed = l;
      if (first) {
        this.#indexRead = true;
        this.#index = read;
      }
    }
    const indexed = this.#index?.blocks;
    const out = newSyncResult(now);
    await forEachLimit([...listed.keys()], this.#opts.concurrency ?? 16, async (id) => {
      const present = listed.get(id)!;
      if (!present.has(META_FILENAME)) {
        out.skipped.push(partialBlock(id));
        return;
      }
      let meta = this.#known.get(id) ?? indexed?.get(id)?.meta;
      if (meta) this.#known.set(id, meta);
      else {
        let bytes: Uint8Array;
        try {
          bytes = await getAll(this.#bucket, `${id}/${META_FILENAME}`);
        } catch (err) {
          out.skipped.push(
            isNotFound(err)
              ? partialBlock(id)
              : {
                  id,
                  reason: 'fetch-failed',
                  detail: `block ${id}: reading meta.json: ${errorMessage(err)}`,
                },
          );
          return;
        }
        try {
          meta = parseMeta(bytes, id);
        } catch (err) {
          out.skipped.push({ id, reason: 'corrupt-meta', detail: errorMessage(err) });
          return;
        }
        this.#known.set(id, meta);
      }
      await this.#admit(id, meta, present, indexed?.get(id)?.deletionMark, now, out);
    });
    for (const id of this.#known.keys()) if (!listed.has(id)) this.#known.delete(id);
    for (const id of this.#marks.keys()) if (!listed.has(id)) this.#marks.delete(id);
    if (scope !== undefined && !this.#writeFailed && this.#writing === undefined) {
      let write: Promise<void> | undefined;
      if (this.#indexStale(listed)) write = this.#writeIndex(scope, now, listed);
      else if (trust > 0 && this.#index && now - this.#index.updatedAt >= trust / 2) {
        // Still true, but soon too old to stand in for a listing: only its time is renewed.
        write = this.#touchIndex(scope, this.#index, now);
      }
      if (write) {
        const w: Promise<void> = write.finally(() => {
          if (this.#writing === w) this.#writing = undefined;
        });
        this.#writing = w;
      }
    }
    return this.#result(out, indexed !== undefined);
  }

  /** The bucket's block directories and their files, unless the filter rules a ULID out. */
  #list(): Promise<Map<string, Set<string>>> {
    return listBlockFiles(this.#bucket, (id) => this.#opts.filter?.(id) !== false);
  }

  /**
   * The sync an index stands for when the listing it was written from is less than `trust` ms
   * old, it knows every block's files (older indexes do not) and packs the header of every block
   * it should; undefined otherwise. Deletion marks count against the delay as of now, as after a
   * listing.
   */
  async #syncFromIndex(
    index: BucketIndex,
    now: number,
    trust: number,
  ): Promise<SyncResult | undefined> {
    if (!(Math.abs(now - index.updatedAt) < trust)) return undefined;
    if (!index.partial) return undefined;
    for (const [id, e] of index.blocks) {
      if (!e.files) return undefined;
      // A block to pack with no header in the pack: one may have been built since (its object
      // is not in the index's files). The listing finds it, and the index is written again.
      if (!e.header && this.#opts.filter?.(id, e.meta) !== false && this.#packs(id, e.meta))
        return undefined;
    }
    const out = newSyncResult(index.updatedAt);
    for (const id of index.partial) {
      if (this.#opts.filter?.(id) === false) continue;
      out.skipped.push(partialBlock(id));
    }
    for (const [id, e] of index.blocks) {
      if (this.#opts.filter?.(id) === false) continue;
      this.#known.set(id, e.meta);
      await this.#admit(id, e.meta, e.files!, e.deletionMark, now, out);
    }
    return this.#result(out, true);
  }

  /** Adds a block with a meta to the result, unless filtered out or marked past the delay. */
  async #admit(
    id: string,
    meta: BlockMeta,
    present: ReadonlySet<string>,
    indexedMark: number | undefined,
    now: number,
    out: PendingSync,
  ): Promise<void> {
    if (this.#opts.filter?.(id, meta) === false) return;
    const delay = this.#opts.deletionMarkDelay ?? DEFAULT_DELETION_MARK_DELAY;
    if (indexedMark !== undefined && present.has(DELETION_MARK_FILENAME) && !this.#marks.has(id))
      this.#marks.set(id, indexedMark);
    const mark = present.has(DELETION_MARK_FILENAME) ? await this.#deletionMark(id) : undefined;
    if (mark !== undefined && now - mark * 1000 > delay) {
      out.skipped.push({
        id,
        reason: 'marked-for-deletion',
        detail: `block ${id}: marked for deletion at ${new Date(mark * 1000).toISOString()}`,
      });
      return;
    }
    out.metas.set(id, meta);
    out.files.set(id, present);
  }

  #result(out: PendingSync, withHeaders: boolean): SyncResult {
    out.skipped.sort((a, b) => (a.id < b.id ? -1 : 1));
    const indexed = this.#index?.blocks;
    if (!withHeaders || !indexed) return out;
    const headers = new Map<string, PackedHeader>();
    for (const id of out.metas.keys()) {
      const h = indexed.get(id)?.header;
      if (h) headers.set(id, h);
    }
    return { ...out, headers };
  }

  /** Reported by a request whose read of the header pack failed: the next sync writes a new one. */
  packUnreadable(): void {
    this.#packUnreadable = true;
  }

  #packs(id: string, meta: BlockMeta): boolean {
    return this.#opts.packFilter?.(id, meta) ?? true;
  }

  /** The background index write started by the last sync, if one is running (tests await it). */
  get indexWrite(): Promise<void> | undefined {
    return this.#writing;
  }

  /**
   * Whether the index should be written again: it is missing, it names a block the listing no
   * longer shows, it lacks a listed block with a meta, or a block has gained an index header (or
   * a deletion mark) since.
   */
  #indexStale(listed: ReadonlyMap<string, ReadonlySet<string>>): boolean {
    const indexed = this.#index?.blocks;
    if (!indexed || this.#packUnreadable) return true;
    const partial = partialIds(listed);
    const was = this.#index!.partial;
    if (!was || was.length !== partial.length || was.some((id, i) => id !== partial[i]))
      return true;
    for (const id of indexed.keys()) if (!listed.has(id)) return true;
    for (const [id, present] of listed) {
      const meta = this.#known.get(id);
      if (!meta || this.#opts.filter?.(id, meta) === false) continue;
      const e = indexed.get(id);
      if (!e || !e.files || !sameSet(e.files, present)) return true;
      if (!e.header && present.has(INDEX_HEADER_OBJECT) && this.#packs(id, meta)) return true;
      if (e.deletionMark === undefined && this.#marks.has(id)) return true;
    }
    return false;
  }

  /**
   * Writes the index of the blocks known now, with a new pack of their index headers: those the
   * old pack holds are copied from it (one read), the others read from the blocks.
   */
  async #writeIndex(
    scope: string,
    now: number,
    listed: ReadonlyMap<string, ReadonlySet<string>>,
  ): Promise<void> {
    try {
      const old = this.#index?.blocks;
      const oldPack = [...(old?.values() ?? [])].find((e) => e.header)?.header?.pack;
      this.#packUnreadable = false;
      let packBytes: Uint8Array | undefined;
      if (oldPack) packBytes = await getAll(this.#bucket, oldPack).catch(() => undefined);
      const entries: IndexedBlock[] = [];
      const headers = new Map<string, Uint8Array>();
      const toRead: string[] = [];
      for (const [id, meta] of this.#known) {
        const present = listed.get(id);
        if (!present || this.#opts.filter?.(id, meta) === false) continue;
        const mark = this.#marks.get(id);
        entries.push({
          meta,
          files: present,
          ...(mark !== undefined ? { deletionMark: mark } : {}),
        });
        const h = old?.get(id)?.header;
        if (!this.#packs(id, meta)) continue;
        if (h && packBytes && h.pack === oldPack && h.offset + h.length <= packBytes.length) {
          headers.set(id, packBytes.subarray(h.offset, h.offset + h.length));
        } else if (present.has(INDEX_HEADER_OBJECT)) toRead.push(id);
      }
      await forEachLimit(toRead, this.#opts.concurrency ?? 16, async (id) => {
        try {
          headers.set(id, await getAll(this.#bucket, `${id}/${INDEX_HEADER_OBJECT}`));
        } catch {
          // Left out of the pack: the block opens from its own header object.
        }
      });
      // This isolate goes on with the new index: its pack, and nothing left to write.
      this.#index = await writeBucketIndex(
        this.#bucket,
        scope,
        now,
        entries,
        headers,
        oldPack,
        partialIds(listed),
      );
    } catch (err) {
      this.#writeFailed = true;
      this.#opts.log?.(`bucket index ${scope}: not written: ${errorMessage(err)}`);
    }
  }

  async #touchIndex(scope: string, index: BucketIndex, now: number): Promise<void> {
    try {
      this.#index = await touchBucketIndex(this.#bucket, scope, index, now);
    } catch (err) {
      this.#writeFailed = true;
      this.#opts.log?.(`bucket index ${scope}: not written: ${errorMessage(err)}`);
    }
  }

  /** The mark's time; a mark, once written, never changes, so it is read once. */
  async #deletionMark(id: string): Promise<number | undefined> {
    const known = this.#marks.get(id);
    if (known !== undefined) return known;
    try {
      const at = parseDeletionMark(
        await getAll(this.#bucket, `${id}/${DELETION_MARK_FILENAME}`),
        id,
      ).deletion_time;
      this.#marks.set(id, at);
      return at;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      // An unreadable mark: keep serving the block rather than hiding data.
      return undefined;
    }
  }
}
