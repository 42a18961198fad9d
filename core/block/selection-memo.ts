/**
 * @module core/block/selection-memo — what blocks' indexes answered recently, decoded: the series
 * refs a set of matchers selects, and the series entries (labels and chunk metas) of small
 * selections. A dashboard asks the same selectors of the same blocks at every refresh; with the
 * answers kept, a warm request skips the postings lookups and the series parsing (the range
 * caches keep the bytes, not the parsed answer). Blocks never change, so nothing goes stale.
 *
 * One byte budget across blocks: past it, the least recently used block's answers go first.
 * Entries are shared between requests and must not be modified.
 */
import type { SeriesEntry } from '../tsdb/index-reader.ts';

/** Default budget (bytes, estimated) of all blocks' kept answers. */
export const DEFAULT_MEMO_BYTES = 8 * 1024 * 1024;

/**
 * An entry's estimated bytes with many labels (~15, as Kubernetes targets have) and a few chunks:
 * a selection is kept only if that many of these fit in a block's share (a quarter) of the
 * budget, so keeping it never pushes the block out (which would drop all its answers).
 */
const LARGE_ENTRY_BYTES = 2048;

interface BlockAnswers {
  readonly refs: Map<string, Uint32Array>;
  readonly series: Map<number, SeriesEntry>;
  bytes: number;
}

export class SelectionMemo {
  readonly #max: number;
  /** Least recently used block first. */
  readonly #blocks = new Map<string, BlockAnswers>();
  #bytes = 0;

  constructor(maxBytes = DEFAULT_MEMO_BYTES) {
    this.#max = maxBytes;
  }

  /**
   * Series entries are kept only for selections of at most this many series in a block: 1,024
   * with the default budget (a dashboard panel over a fleet of a few hundred hosts repeats
   * itself at every refresh; its entries take ~0.6 KB each).
   */
  get maxSelection(): number {
    return Math.floor(this.#max / 4 / LARGE_ENTRY_BYTES);
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The refs `matchers` (a key from `matchersKey`) selected in `block`, if kept. */
  refs(block: string, matchers: string): Uint32Array | undefined {
    return this.#touch(block)?.refs.get(matchers);
  }

  setRefs(block: string, matchers: string, refs: Uint32Array): void {
    const bytes = 64 + matchers.length * 2 + refs.byteLength;
    if (bytes > this.#max / 4) return;
    const a = this.#answers(block);
    if (a.refs.has(matchers)) return;
    // A view of a larger list (what a subtraction or a merge of postings leaves) would keep all
    // of it alive: the budget counts what is kept, so keep an exact copy.
    a.refs.set(matchers, refs.byteLength < refs.buffer.byteLength ? refs.slice() : refs);
    this.#grow(block, a, bytes);
  }

  /** The series entry of `ref` in `block`, if kept. */
  series(block: string, ref: number): SeriesEntry | undefined {
    return this.#blocks.get(block)?.series.get(ref);
  }

  setSeries(block: string, entry: SeriesEntry): void {
    const bytes = entryBytes(entry);
    if (bytes > this.#max / 4) return;
    const a = this.#answers(block);
    if (a.series.has(entry.ref)) return;
    a.series.set(entry.ref, entry);
    this.#grow(block, a, bytes);
  }

  /** Forgets every block not in `ids` (gone from the bucket). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of [...this.#blocks.keys()]) if (!ids.has(id)) this.drop(id);
  }

  /** Forgets a block (gone from the bucket). */
  drop(block: string): void {
    const a = this.#blocks.get(block);
    if (!a) return;
    this.#blocks.delete(block);
    this.#bytes -= a.bytes;
  }

  #touch(block: string): BlockAnswers | undefined {
    const a = this.#blocks.get(block);
    if (a) {
      this.#blocks.delete(block);
      this.#blocks.set(block, a);
    }
    return a;
  }

  #answers(block: string): BlockAnswers {
    let a = this.#touch(block);
    if (!a) this.#blocks.set(block, (a = { refs: new Map(), series: new Map(), bytes: 0 }));
    return a;
  }

  #grow(block: string, a: BlockAnswers, bytes: number): void {
    a.bytes += bytes;
    this.#bytes += bytes;
    // One block may hold at most a quarter of the budget (one answer larger than that is not
    // kept at all): a huge selection must not flush the answers of every other block.
    if (a.bytes > this.#max / 4) this.drop(block);
    for (const [id, other] of this.#blocks) {
      if (this.#bytes <= this.#max) break;
      this.#blocks.delete(id);
      this.#bytes -= other.bytes;
    }
  }
}

/** A key for a set of matchers, the same whatever their order. */
export function matchersKey(
  matchers: readonly { readonly type: string; readonly name: string; readonly value: string }[],
): string {
  return matchers
    .map((m) => `${m.name}\u0000${m.type}\u0000${m.value}`)
    .sort()
    .join('\u0001');
}

function entryBytes(e: SeriesEntry): number {
  let n = 96 + e.chunks.length * 56;
  for (const l of e.labels) n += 48 + (l.name.length + l.value.length) * 2;
  return n;
}
