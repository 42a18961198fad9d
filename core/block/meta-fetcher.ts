/**
 * @module core/block/meta-fetcher — discovers the blocks of a bucket (Thanos's MetaFetcher):
 * lists `<ULID>/` directories, reads each meta.json once (blocks are immutable), and filters.
 * Blocks without meta.json are partial uploads; blocks whose deletion mark is older than the
 * delay are on their way out; unparsable blocks are reported, never fatal.
 */
import { errorMessage } from '../errors.ts';
import { getAll, type Bucket } from '../objstore/bucket.ts';
import { isNotFound } from '../objstore/errors.ts';
import { META_FILENAME, isUlid, parseMeta, type BlockMeta } from '../tsdb/meta.ts';
import { DELETION_MARK_FILENAME, parseDeletionMark } from './markers.ts';

export type SkipReason = 'partial' | 'marked-for-deletion' | 'corrupt-meta' | 'fetch-failed';

export interface SkippedBlock {
  readonly id: string;
  readonly reason: SkipReason;
  readonly detail: string;
}

export interface SyncResult {
  /** Usable blocks by ULID. */
  readonly metas: ReadonlyMap<string, BlockMeta>;
  readonly skipped: readonly SkippedBlock[];
  /** Unix ms of the sync. */
  readonly at: number;
}

export interface MetaFetcherOptions {
  /** Blocks marked for deletion longer ago than this are ignored (Thanos `--ignore-deletion-marks-delay`, 24h). */
  readonly deletionMarkDelay?: number;
  /** meta.json reads in flight at once. */
  readonly concurrency?: number;
  readonly now?: () => number;
}

export const DEFAULT_DELETION_MARK_DELAY = 24 * 60 * 60 * 1000;

export class MetaFetcher {
  readonly #bucket: Bucket;
  readonly #opts: MetaFetcherOptions;
  /** Metas never change; a block once read is not read again. */
  readonly #known = new Map<string, BlockMeta>();

  constructor(bucket: Bucket, options: MetaFetcherOptions = {}) {
    this.#bucket = bucket;
    this.#opts = options;
  }

  async sync(): Promise<SyncResult> {
    const now = (this.#opts.now ?? Date.now)();
    const ids: string[] = [];
    for await (const entry of this.#bucket.iter('')) {
      const id = entry.endsWith('/') ? entry.slice(0, -1) : entry;
      if (isUlid(id)) ids.push(id);
    }
    const metas = new Map<string, BlockMeta>();
    const skipped: SkippedBlock[] = [];
    const delay = this.#opts.deletionMarkDelay ?? DEFAULT_DELETION_MARK_DELAY;
    await forEachLimit(ids, this.#opts.concurrency ?? 16, async (id) => {
      let meta = this.#known.get(id);
      if (!meta) {
        let bytes: Uint8Array;
        try {
          bytes = await getAll(this.#bucket, `${id}/${META_FILENAME}`);
        } catch (err) {
          if (isNotFound(err))
            skipped.push({
              id,
              reason: 'partial',
              detail: `block ${id}: no meta.json (partial or in-progress upload)`,
            });
          else
            skipped.push({
              id,
              reason: 'fetch-failed',
              detail: `block ${id}: reading meta.json: ${errorMessage(err)}`,
            });
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
      const mark = await this.#deletionMark(id);
      if (mark !== undefined && now - mark * 1000 > delay) {
        skipped.push({
          id,
          reason: 'marked-for-deletion',
          detail: `block ${id}: marked for deletion at ${new Date(mark * 1000).toISOString()}`,
        });
        return;
      }
      metas.set(id, meta);
    });
    for (const id of this.#known.keys()) if (!ids.includes(id)) this.#known.delete(id);
    skipped.sort((a, b) => (a.id < b.id ? -1 : 1));
    return { metas, skipped, at: now };
  }

  async #deletionMark(id: string): Promise<number | undefined> {
    try {
      return parseDeletionMark(await getAll(this.#bucket, `${id}/${DELETION_MARK_FILENAME}`), id)
        .deletion_time;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      // An unreadable mark: keep serving the block rather than hiding data.
      return undefined;
    }
  }
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}
