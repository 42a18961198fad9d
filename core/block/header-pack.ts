/**
 * @module core/block/header-pack — reads the index headers of a request's blocks out of the bucket
 * index's header pack (core/block/bucket-index.ts) with as few range reads as possible. The pack
 * holds headers in block time order, so the blocks one query opens sit side by side: the first
 * block asked for fetches a window that covers the wanted blocks after it (gaps up to
 * MAX_GAP, at most MAX_WINDOW bytes), and the others find their bytes waiting.
 */
import type { Bucket } from '../objstore/bucket.ts';
import type { ReadStats } from '../tsdb/source.ts';
import type { PackedHeader } from './bucket-index.ts';

/** Bytes between two wanted headers read rather than split into two requests (Thanos: 512 KiB). */
export const MAX_GAP = 512 * 1024;
/** Largest single read: bounds what a request holds before its blocks are opened. */
export const MAX_WINDOW = 4 * 1024 * 1024;

interface Wanted extends PackedHeader {
  readonly id: string;
}

export class PackedHeaderReader {
  readonly #bucket: Bucket;
  readonly #stats: ReadStats | undefined;
  /** Wanted headers by pack, in offset order. */
  readonly #byPack = new Map<string, Wanted[]>();
  readonly #where = new Map<string, { list: Wanted[]; i: number }>();
  /** Fetched or in-flight headers, each handed out once. */
  readonly #pending = new Map<string, Promise<Uint8Array | undefined>>();

  readonly #onFailure: ((pack: string) => void) | undefined;

  /** `onFailure` hears of a pack that could not be read (gone: the index must be rewritten). */
  constructor(
    bucket: Bucket,
    wanted: ReadonlyMap<string, PackedHeader>,
    stats?: ReadStats,
    onFailure?: (pack: string) => void,
  ) {
    this.#bucket = bucket;
    this.#stats = stats;
    this.#onFailure = onFailure;
    for (const [id, h] of wanted) {
      let list = this.#byPack.get(h.pack);
      if (!list) this.#byPack.set(h.pack, (list = []));
      list.push({ id, ...h });
    }
    for (const list of this.#byPack.values()) {
      list.sort((a, b) => a.offset - b.offset);
      list.forEach((w, i) => this.#where.set(w.id, { list, i }));
    }
  }

  /** Block `id`'s header bytes, or undefined when it is not in the pack or the read failed. */
  get(id: string): Promise<Uint8Array | undefined> {
    let p = this.#pending.get(id);
    if (!p) {
      this.#fetchFrom(id);
      p = this.#pending.get(id);
    }
    this.#pending.delete(id);
    // Not wanted, or handed out already (a second open of the block reads its own object).
    this.#where.delete(id);
    return p ?? Promise.resolve(undefined);
  }

  /**
   * One range read over `id`'s header and the wanted headers around it not yet fetched: from the
   * first of those in the pack (blocks open in any order; the pack is read front to back) when
   * the window can reach `id` from there, else from `id`.
   */
  #fetchFrom(id: string): void {
    const at = this.#where.get(id);
    if (!at) return;
    const { list } = at;
    let from = at.i;
    for (let j = 0; j < at.i; j++) {
      if (this.#unfetched(list[j]!)) {
        from = j;
        break;
      }
    }
    const window = this.#window(list, from);
    const covers = window.some((w) => w.id === id);
    this.#read(covers ? window : this.#window(list, at.i));
  }

  #unfetched(w: Wanted): boolean {
    return this.#where.has(w.id) && !this.#pending.has(w.id);
  }

  /** The unfetched headers from `list[from]` on that one read of at most MAX_WINDOW covers. */
  #window(list: readonly Wanted[], from: number): Wanted[] {
    const first = list[from]!;
    const window: Wanted[] = [first];
    let end = first.offset + first.length;
    for (let j = from + 1; j < list.length; j++) {
      const w = list[j]!;
      if (!this.#unfetched(w)) break;
      if (w.offset - end > MAX_GAP || w.offset + w.length - first.offset > MAX_WINDOW) break;
      window.push(w);
      end = Math.max(end, w.offset + w.length);
    }
    return window;
  }

  #read(window: readonly Wanted[]): void {
    const first = window[0]!;
    const last = window[window.length - 1]!;
    const end = last.offset + last.length;
    const read = this.#bucket.getRange(first.pack, first.offset, end - first.offset).then(
      (bytes) => {
        if (this.#stats) {
          this.#stats.reads++;
          this.#stats.requests++;
          this.#stats.bytes += bytes.length;
          this.#stats.requestBytes += bytes.length;
        }
        return bytes;
      },
      () => {
        this.#onFailure?.(first.pack);
        return undefined;
      },
    );
    for (const w of window) {
      const from = w.offset - first.offset;
      this.#pending.set(
        w.id,
        read.then((bytes) =>
          bytes && from + w.length <= bytes.length ? bytes.slice(from, from + w.length) : undefined,
        ),
      );
    }
  }
}
