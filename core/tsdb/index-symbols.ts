/**
 * @module core/tsdb/index-symbols — the index's symbol table: sorted, deduplicated strings that
 * series reference by sequence number (v2). Kept as its raw bytes plus one offset per symbol;
 * strings are decoded on first use and cached (blocks are immutable).
 */
import { Decbuf } from './encoding.ts';
import { corruptAt, type IndexLocation } from './index-format.ts';

const utf8 = new TextDecoder();

export class Symbols {
  readonly #b: Uint8Array;
  /** Position in #b of each symbol's uvarint length. */
  readonly #offs: Uint32Array;
  readonly #cache: (string | undefined)[];
  readonly #loc: IndexLocation;
  readonly #base: number;

  /**
   * `d` is the checked content of the symbol section (after `len`, CRC verified); `base` is the
   * file offset of `d.bytes[0]`, for error messages.
   */
  constructor(d: Decbuf, base: number, loc: IndexLocation) {
    this.#loc = loc;
    this.#base = base;
    const start = d.pos;
    const count = d.be32();
    // Every symbol takes at least one byte: validate before allocating.
    if (d.err || count > d.remaining)
      throw corruptAt(loc, base + start, `read symbols: count ${count} exceeds section`);
    const offs = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      offs[i] = d.pos;
      d.skip(d.uvarint());
    }
    if (d.err) throw corruptAt(loc, base + d.errPos, `read symbols: ${d.err}`);
    this.#b = d.bytes;
    this.#offs = offs;
    this.#cache = new Array<string | undefined>(count);
  }

  get size(): number {
    return this.#offs.length;
  }

  /** The symbol with sequence number `ref`; a ref past the table is a corrupt reference. */
  lookup(ref: number, atOffset: number): string {
    const c = this.#cache[ref];
    if (c !== undefined) return c;
    if (!(ref >= 0 && ref < this.#offs.length))
      throw corruptAt(
        this.#loc,
        atOffset,
        `symbol ref ${ref} out of range (${this.#offs.length} symbols)`,
      );
    const d = new Decbuf(this.#b, this.#offs[ref]!);
    const n = d.uvarint();
    const s = intern(decodeString(this.#b, d.pos, n));
    this.#cache[ref] = s;
    return s;
  }

  /** All symbols in order (for tools and the writer's tests). */
  *all(): IterableIterator<string> {
    for (let i = 0; i < this.#offs.length; i++) yield this.lookup(i, this.#base);
  }
}

/** Strings kept shared, at most; past it the table starts again (it is only a saving). */
const INTERN_MAX = 1 << 16;
const interned = new Map<string, string>();

/**
 * One instance of each label string for the whole isolate: every block's symbol table holds the
 * same names and values, and a query over many blocks would otherwise keep a copy per block.
 */
export function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size >= INTERN_MAX) interned.clear();
  interned.set(s, s);
  return s;
}

/** Decodes UTF-8, with a fast path for short ASCII strings (most label names and values). */
export function decodeString(b: Uint8Array, start: number, n: number): string {
  if (n <= 32) {
    let ascii = true;
    for (let i = start; i < start + n; i++) if (b[i]! >= 0x80) ascii = false;
    if (ascii)
      return String.fromCharCode.apply(null, b.subarray(start, start + n) as unknown as number[]);
  }
  return utf8.decode(b.subarray(start, start + n));
}
