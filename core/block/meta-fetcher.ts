/**
 * @module core/block/meta-fetcher — discovers the blocks of a bucket (Thanos's MetaFetcher): one
 * recursive listing tells every block's files, each meta.json is read once (blocks are
 * immutable), a deletion mark only where the listing shows one. Blocks without meta.json are
 * partial uploads; blocks whose deletion mark is older than the delay are on their way out;
 * unparsable blocks are reported, never fatal. A filter (a store shard's share) is applied before
 * anything is read.
 */
import { errorMessage } from '../errors.ts';
import { getAll, type Bucket } from '../objstore/bucket.ts';
import { isNotFound } from '../objstore/errors.ts';
import { META_FILENAME, parseMeta, type BlockMeta } from '../tsdb/meta.ts';
import { DELETION_MARK_FILENAME, parseDeletionMark } from './markers.ts';
import { listBlockFiles } from './block-listing.ts';
import { forEachLimit } from './concurrency.ts';

export type SkipReason = 'partial' | 'marked-for-deletion' | 'corrupt-meta' | 'fetch-failed';

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
  readonly now?: () => number;
}

export const DEFAULT_DELETION_MARK_DELAY = 24 * 60 * 60 * 1000;

export class MetaFetcher {
  readonly #bucket: Bucket;
  readonly #opts: MetaFetcherOptions;
  /** Metas never change; a block once read is not read again. */
  readonly #known = new Map<string, BlockMeta>();
  readonly #marks = new Map<string, number>();

  constructor(bucket: Bucket, options: MetaFetcherOptions = {}) {
    this.#bucket = bucket;
    this.#opts = options;
  }

  async sync(): Promise<SyncResult> {
    const now = (this.#opts.now ?? Date.now)();
    const listed = await listBlockFiles(this.#bucket, (id) => this.#opts.filter?.(id) !== false);
    const metas = new Map<string, BlockMeta>();
    const files = new Map<string, ReadonlySet<string>>();
    const skipped: SkippedBlock[] = [];
    const delay = this.#opts.deletionMarkDelay ?? DEFAULT_DELETION_MARK_DELAY;
    await forEachLimit([...listed.keys()], this.#opts.concurrency ?? 16, async (id) => {
      const present = listed.get(id)!;
      if (!present.has(META_FILENAME)) {
        skipped.push({
          id,
          reason: 'partial',
          detail: `block ${id}: no meta.json (partial or in-progress upload)`,
        });
        return;
      }
      let meta = this.#known.get(id);
      if (!meta) {
        let bytes: Uint8Array;
        try {
          bytes = await getAll(this.#bucket, `${id}/${META_FILENAME}`);
        } catch (err) {
          skipped.push(
            isNotFound(err)
              ? {
                  id,
                  reason: 'partial',
                  detail: `block ${id}: no meta.json (partial or in-progress upload)`,
                }
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
          skipped.push({ id, reason: 'corrupt-meta', detail: errorMessage(err) });
          return;
        }
        this.#known.set(id, meta);
      }
      if (this.#opts.filter?.(id, meta) === false) return;
      const mark = present.has(DELETION_MARK_FILENAME) ? await this.#deletionMark(id) : undefined;
      if (mark !== undefined && now - mark * 1000 > delay) {
        skipped.push({
          id,
          reason: 'marked-for-deletion',
          detail: `block ${id}: marked for deletion at ${new Date(mark * 1000).toISOString()}`,
        });
        return;
      }
      metas.set(id, meta);
      files.set(id, present);
    });
    for (const id of this.#known.keys()) if (!listed.has(id)) this.#known.delete(id);
    for (const id of this.#marks.keys()) if (!listed.has(id)) this.#marks.delete(id);
    skipped.sort((a, b) => (a.id < b.id ? -1 : 1));
    return { metas, files, skipped, at: now };
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
