/**
 * @module core/compact/syncer — the compactor's view of the bucket (Thanos's compactor syncer and
 * its meta filters): one recursive listing, each meta.json read once (blocks are immutable), the
 * markers each block has. Blocks newer than the consistency delay (unless the compactor wrote
 * them) are not touched yet; blocks whose sources another block of the same resolution already
 * covers are duplicates, the leftovers of a compaction that ended before it marked its inputs.
 */
import { CorruptBlockError, errorMessage } from '../errors.ts';
import { getAll, type Bucket } from '../objstore/bucket.ts';
import { isNotFound } from '../objstore/errors.ts';
import { META_FILENAME, parseMeta, type BlockMeta } from '../tsdb/meta.ts';
import { ulidTime } from '../tsdb/ulid.ts';
import {
  DELETION_MARK_FILENAME,
  NO_COMPACT_MARK_FILENAME,
  parseDeletionMark,
} from '../block/markers.ts';
import { listBlockFiles } from '../block/block-listing.ts';
import { duplicateBlocks } from '../block/duplicate-filter.ts';
import { forEachLimit } from '../block/concurrency.ts';

/** Thanos's `thanos_blocks_meta_synced{state}` states we report. */
export type SyncState =
  | 'loaded'
  | 'partial'
  | 'corrupted-meta-json'
  | 'failed'
  | 'marked-for-deletion'
  | 'marked-for-no-compact'
  | 'too-fresh'
  | 'duplicate';

export const SYNC_STATES: readonly SyncState[] = [
  'loaded',
  'partial',
  'corrupted-meta-json',
  'failed',
  'marked-for-deletion',
  'marked-for-no-compact',
  'too-fresh',
  'duplicate',
];

export interface BucketView {
  /** Every block with a readable meta.json, marked or not. */
  readonly metas: ReadonlyMap<string, BlockMeta>;
  /** Deletion time (unix ms) of each block dir with a deletion mark (with or without meta.json). */
  readonly deletionMarks: ReadonlyMap<string, number>;
  readonly noCompact: ReadonlySet<string>;
  /** Block dirs without meta.json (partial or aborted uploads, interrupted deletes). */
  readonly partial: ReadonlySet<string>;
  /** Blocks the compactor may plan with: loaded, not marked for deletion, not too fresh, not duplicates. */
  readonly compactable: readonly BlockMeta[];
  /** Blocks made redundant by a block covering all their sources. */
  readonly duplicates: readonly string[];
  readonly counts: Readonly<Record<SyncState, number>>;
  /** Problems worth a log line (unreadable metas or marks). */
  readonly problems: readonly string[];
}

export interface SyncerOptions {
  /** Blocks younger than this (by ULID time) are left alone unless the compactor wrote them (30m). */
  readonly consistencyDelay?: number;
  readonly concurrency?: number;
  readonly now?: () => number;
}

export const DEFAULT_CONSISTENCY_DELAY = 30 * 60_000;
/** Sources that wrote a block whole at once: no upload can still be in progress for them. */
const TRUSTED_SOURCES = new Set(['compactor', 'compactor.repair', 'bucket.repair']);

export class Syncer {
  readonly #bucket: Bucket;
  readonly #opts: SyncerOptions;
  readonly #known = new Map<string, BlockMeta>();
  readonly #marks = new Map<string, number>();

  constructor(bucket: Bucket, opts: SyncerOptions = {}) {
    this.#bucket = bucket;
    this.#opts = opts;
  }

  async sync(): Promise<BucketView> {
    const now = (this.#opts.now ?? Date.now)();
    const listed = await listBlockFiles(this.#bucket);
    const metas = new Map<string, BlockMeta>();
    const deletionMarks = new Map<string, number>();
    const noCompact = new Set<string>();
    const partial = new Set<string>();
    const problems: string[] = [];
    const counts = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
    await forEachLimit([...listed.keys()], this.#opts.concurrency ?? 16, async (id) => {
      const files = listed.get(id)!;
      if (files.has(DELETION_MARK_FILENAME)) {
        const at = await this.#deletionMark(id, problems);
        if (at !== undefined) deletionMarks.set(id, at);
      }
      if (files.has(NO_COMPACT_MARK_FILENAME)) noCompact.add(id);
      if (!files.has(META_FILENAME)) {
        partial.add(id);
        return;
      }
      let meta = this.#known.get(id);
      if (!meta) {
        try {
          meta = parseMeta(await getAll(this.#bucket, `${id}/${META_FILENAME}`), id);
        } catch (err) {
          if (isNotFound(err)) partial.add(id);
          else {
            counts[err instanceof CorruptBlockError ? 'corrupted-meta-json' : 'failed']++;
            problems.push(`block ${id}: meta.json: ${errorMessage(err)}`);
          }
          return;
        }
        this.#known.set(id, meta);
      }
      metas.set(id, meta);
    });
    for (const id of this.#known.keys()) if (!listed.has(id)) this.#known.delete(id);
    for (const id of this.#marks.keys()) if (!listed.has(id)) this.#marks.delete(id);
    counts.partial = partial.size;

    const fresh: BlockMeta[] = [];
    for (const m of metas.values()) {
      if (deletionMarks.has(m.ulid)) {
        counts['marked-for-deletion']++;
        continue;
      }
      const delay = this.#opts.consistencyDelay ?? DEFAULT_CONSISTENCY_DELAY;
      if (!TRUSTED_SOURCES.has(m.thanos?.source ?? '') && now - ulidTime(m.ulid) < delay) {
        counts['too-fresh']++;
        continue;
      }
      if (noCompact.has(m.ulid)) counts['marked-for-no-compact']++;
      fresh.push(m);
    }
    const duplicates = duplicateBlocks(fresh);
    counts.duplicate = duplicates.size;
    const compactable = fresh.filter((m) => !duplicates.has(m.ulid));
    counts.loaded = compactable.length;
    return {
      metas,
      deletionMarks,
      noCompact,
      partial,
      compactable,
      duplicates: [...duplicates.keys()].sort(),
      counts,
      problems,
    };
  }

  /** Unix ms of a deletion mark; read once (a mark never changes). */
  async #deletionMark(id: string, problems: string[]): Promise<number | undefined> {
    const known = this.#marks.get(id);
    if (known !== undefined) return known;
    try {
      const at =
        parseDeletionMark(await getAll(this.#bucket, `${id}/${DELETION_MARK_FILENAME}`), id)
          .deletion_time * 1000;
      this.#marks.set(id, at);
      return at;
    } catch (err) {
      if (!isNotFound(err)) problems.push(`block ${id}: deletion mark: ${errorMessage(err)}`);
      return undefined;
    }
  }
}
