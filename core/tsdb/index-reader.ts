/**
 * @module core/tsdb/index-reader — reads a block's `index` (format v2) through range reads.
 * `open` reads only the parts needed to open it: the TOC, the symbol table and the postings
 * offset table; `fromHeader` takes the same parts from an index header (index-header.ts).
 * Postings lists and series are read on demand, with nearby ranges coalesced into one read.
 * Every CRC is verified; every offset, count and length is checked against the bytes that are
 * really there before use, so a corrupt index fails with CorruptBlockError, never anything else.
 * Spec: prometheus tsdb/docs/format/index.md.
 */
import type { Label, Labels } from '../labels/labels.ts';
import { Decbuf, crc32c, crc32cRanges } from './encoding.ts';
import { crc32cKernel } from './crc32c.ts';
import {
  ALL_POSTINGS_NAME,
  ALL_POSTINGS_VALUE,
  INDEX_HEADER_LEN,
  INDEX_TOC_LEN,
  SERIES_ALIGNMENT,
  checkIndexMagic,
  corruptAt,
  parseToc,
  sectionDecbuf,
  sectionEnd,
  type IndexLocation,
  type IndexToc,
} from './index-format.ts';
import {
  INDEX_HEADER_FILENAME,
  decodeIndexHeader,
  parseIndexSections,
  type IndexHeaderParts,
} from './index-header.ts';
import type { PostingsRange, PostingsTable } from './index-postings-table.ts';
import type { Symbols } from './index-symbols.ts';
import { EMPTY_POSTINGS, mergePostings } from './postings.ts';
import {
  postingsForMatchers,
  type PostingsMatcher,
  type PostingsRequest,
} from './postings-for-matchers.ts';
import { SizeSampler, planReads, uvarintRecordLength } from './read-planner.ts';
import { MemorySource, readChecked, type ByteSource, type ReadStats } from './source.ts';

/** Series entries a cold reader reads first to learn their size before planning coalesced reads. */
const PROBE_SERIES = 8;
/** A series entry's checksum state from `#precheck`. */
const UNCHECKED = 0;
const CHECKED_OK = 1;
const CHECKED_BAD = 2;

/** A chunk's entry in a series: time range and `chunks/` reference (segment << 32 | offset). */
export interface ChunkMeta {
  readonly mint: number;
  readonly maxt: number;
  readonly ref: number;
}

export interface SeriesEntry {
  /** Series ref: offset / 16. */
  readonly ref: number;
  readonly labels: Labels;
  readonly chunks: readonly ChunkMeta[];
}

export interface IndexReaderOptions {
  /** Block ULID, for error messages. */
  block?: string;
  /** Bytes read past the last series of a batch, guessing its length (default 4 KiB). */
  seriesReadAhead?: number;
  /** Ranges closer than this are read together (default 16 KiB). */
  maxGap?: number;
  /** Largest single coalesced read (default 4 MiB). */
  maxRead?: number;
  /**
   * Series in the index (meta.json's stats): with it, the average entry size is known up front
   * and series reads need no probe to learn it.
   */
  numSeries?: number;
}

export interface IndexHeaderReaderOptions extends IndexReaderOptions {
  /** Name of the header in error messages (default `index-header`). */
  headerFile?: string;
  /**
   * The index's real size when known (meta.json's `thanos.files`): a header made for another
   * index is then a CorruptBlockError instead of reads outside the index.
   */
  indexSize?: number;
  /**
   * What to do with an index the header carries whole: `memory` (default) keeps it and reads
   * postings and series from it; `source` keeps only copies of the two sections and reads from
   * `src`, which can serve them from a cache (the reader then holds kilobytes, not the index).
   */
  inline?: 'memory' | 'source';
  /** Called with an inline index when `inline` is `source` (to put it in a cache). */
  onInlineIndex?: (index: Uint8Array) => void;
}

/**
 * Where an IndexReader's bytes come from: `index`, opened by range reads of the index; `header`,
 * opened from an index header, postings and series read from the index; `inline`, opened from a
 * header that carries the whole index, so it never reads anything.
 */
export type IndexBacking = 'index' | 'header' | 'inline';

export class IndexReader {
  readonly toc: IndexToc;
  readonly symbols: Symbols;
  readonly size: number;
  readonly backing: IndexBacking;
  /** Bytes the reader holds in memory (symbols, postings offset table, an inline index). */
  readonly headerBytes: number;
  readonly #src: ByteSource;
  readonly #loc: IndexLocation;
  readonly #postings: PostingsTable;
  readonly #seriesStart: number;
  readonly #seriesEnd: number;
  readonly #readAhead: number;
  readonly #maxGap: number;
  readonly #maxRead: number;
  /** Average series entry size, or 0 when the series count is unknown. */
  readonly #avgSeries: number;

  private constructor(
    src: ByteSource,
    parts: IndexHeaderParts,
    loc: IndexLocation,
    opts: IndexReaderOptions,
    backing: IndexBacking,
  ) {
    const { symbols, postings } = parseIndexSections(parts, loc);
    const { toc, indexSize: size } = parts;
    this.#src = src;
    this.size = size;
    this.backing = backing;
    // With an inline index the sections are views into it.
    this.headerBytes = parts.index
      ? parts.index.length
      : parts.symbols.length + parts.postingsTable.length;
    this.#loc = loc;
    this.toc = toc;
    this.symbols = symbols;
    this.#postings = postings;
    const tocOff = size - INDEX_TOC_LEN;
    this.#seriesStart = toc.series;
    this.#seriesEnd = toc.series === 0 ? 0 : sectionEnd(toc, toc.series, tocOff);
    this.#readAhead = opts.seriesReadAhead ?? 4096;
    this.#maxGap = opts.maxGap ?? 16 * 1024;
    this.#maxRead = opts.maxRead ?? 4 * 1024 * 1024;
    this.#avgSeries =
      opts.numSeries && opts.numSeries > 0
        ? Math.ceil((this.#seriesEnd - this.#seriesStart) / opts.numSeries)
        : 0;
  }

  /**
   * Reads the index header (TOC, symbols, postings offset table) in three range reads plus a
   * `src.size()`: the TOC, then the head (index header and symbols) and the postings offset
   * table together. `buildIndexHeader` + `fromHeader` open with fewer requests.
   */
  static async open(src: ByteSource, opts: IndexReaderOptions = {}): Promise<IndexReader> {
    const loc: IndexLocation = { block: opts.block, file: src.name };
    const size = await src.size();
    if (size < INDEX_HEADER_LEN + INDEX_TOC_LEN)
      throw corruptAt(loc, 0, `index too small (${size} bytes)`);
    const tocOff = size - INDEX_TOC_LEN;
    const toc = parseToc(
      await readChecked(src, size, tocOff, INDEX_TOC_LEN, opts.block, 'read TOC'),
      size,
      loc,
    );

    // Header and symbols are contiguous from byte 0; the postings offset table runs up to the TOC.
    const symEnd = sectionEnd(toc, toc.symbols, tocOff);
    const [head, postingsTable] = await Promise.all([
      readChecked(src, size, 0, symEnd, opts.block, 'read symbols'),
      readChecked(
        src,
        size,
        toc.postingsTable,
        tocOff - toc.postingsTable,
        opts.block,
        'read postings offset table',
      ),
    ]);
    checkIndexMagic(head, loc);
    const parts = { indexSize: size, toc, symbols: head.subarray(toc.symbols), postingsTable };
    return new IndexReader(src, parts, loc, opts, 'index');
  }

  /**
   * Opens the index from its header (see index-header.ts) without reading anything. Postings
   * and series are read from `src` (the index), or from memory when the header carries the
   * whole index. A defective header is a CorruptBlockError naming the header file.
   */
  static fromHeader(
    src: ByteSource,
    header: Uint8Array,
    opts: IndexHeaderReaderOptions = {},
  ): IndexReader {
    const headerLoc: IndexLocation = {
      block: opts.block,
      file: opts.headerFile ?? INDEX_HEADER_FILENAME,
    };
    const parts = decodeIndexHeader(header, headerLoc);
    if (opts.indexSize !== undefined && opts.indexSize !== parts.indexSize)
      throw corruptAt(
        headerLoc,
        0,
        `index header is for an index of ${parts.indexSize} bytes, the index has ${opts.indexSize}`,
      );
    const loc: IndexLocation = { block: opts.block, file: src.name };
    if (parts.index && opts.inline === 'source') {
      opts.onInlineIndex?.(parts.index);
      const own = {
        indexSize: parts.indexSize,
        toc: parts.toc,
        symbols: parts.symbols.slice(),
        postingsTable: parts.postingsTable.slice(),
      };
      return new IndexReader(src, own, loc, opts, 'header');
    }
    if (parts.index)
      return new IndexReader(new MemorySource(src.name, parts.index), parts, loc, opts, 'inline');
    return new IndexReader(src, parts, loc, opts, 'header');
  }

  /** Whether some series of the index has the label `name`. */
  hasLabelName(name: string): boolean {
    return name !== ALL_POSTINGS_NAME && this.#postings.has(name);
  }

  /** Label names, sorted (without the all-postings key). */
  labelNames(): string[] {
    return this.#postings.names().filter((n) => n !== ALL_POSTINGS_NAME);
  }

  /** Values of `name`, sorted; empty for an unknown name. */
  labelValues(name: string): string[] {
    if (name === ALL_POSTINGS_NAME) return [];
    return this.#postings.values(name);
  }

  /** Sorted union of the postings of `name=v` for each v in `values`. */
  async postings(name: string, values: readonly string[], stats?: ReadStats): Promise<Uint32Array> {
    return (await this.postingsLists([{ name, values }], stats))[0]!;
  }

  /** The union list of each request; every list of every request read in one coalesced batch. */
  async postingsLists(
    requests: readonly PostingsRequest[],
    stats?: ReadStats,
  ): Promise<Uint32Array[]> {
    const perRequest = requests.map((r) => this.#postings.ranges(r.name, r.values));
    const lists = await this.#readPostingsLists(perRequest.flat(), stats);
    let at = 0;
    return perRequest.map((ranges) => {
      const mine = lists.slice(at, (at += ranges.length));
      return mine.length === 0 ? EMPTY_POSTINGS : mergePostings(mine);
    });
  }

  /** Every series ref in the index, sorted. */
  async allPostings(stats?: ReadStats): Promise<Uint32Array> {
    return this.postings(ALL_POSTINGS_NAME, [ALL_POSTINGS_VALUE], stats);
  }

  /**
   * Series refs selected by the matchers with Prometheus's semantics (a matcher that matches ""
   * also selects series without the label).
   */
  async postingsForMatchers(
    matchers: readonly PostingsMatcher[],
    stats?: ReadStats,
  ): Promise<Uint32Array> {
    return postingsForMatchers(this, matchers, stats);
  }

  /**
   * The postings list of each value of `name` in `values` that exists, separately (for label
   * values under matchers), read with the same coalescing as `postings`.
   */
  async postingsPerValue(
    name: string,
    values: readonly string[],
    stats?: ReadStats,
  ): Promise<Map<string, Uint32Array>> {
    const ranges = this.#postings.ranges(name, values);
    const lists = await this.#readPostingsLists(ranges, stats);
    return new Map(ranges.map((r, i) => [r.value, lists[i]!]));
  }

  /** Reads the lists of `ranges` (result aligned with `ranges`), nearby lists in one read. */
  async #readPostingsLists(
    ranges: readonly PostingsRange[],
    stats?: ReadStats,
  ): Promise<Uint32Array[]> {
    const lists = new Array<Uint32Array>(ranges.length);
    const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
    await Promise.all(
      planReads(
        order,
        (i) => ranges[i]!.offset,
        (i) => ranges[i]!.end - ranges[i]!.offset,
        {
          ahead: 0,
          guess: 0,
          maxGap: this.#maxGap,
          maxRead: this.#maxRead,
          limit: this.size,
        },
      ).map(async ({ items: group, start, end }) => {
        const buf = await readChecked(
          this.#src,
          this.size,
          start,
          end - start,
          this.#loc.block,
          'read postings',
          stats,
        );
        for (const i of group)
          lists[i] = this.#parsePostings(buf, ranges[i]!.offset - start, start);
      }),
    );
    return lists;
  }

  #parsePostings(buf: Uint8Array, p: number, base: number): Uint32Array {
    const d = sectionDecbuf(buf, p, base, this.#loc, 'postings');
    const n = d.be32();
    if (d.err || d.remaining !== n * 4)
      throw corruptAt(this.#loc, base + p, `read postings: ${n} entries do not fill the list`);
    const out = new Uint32Array(n);
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const v = d.be32();
      // Intersections assume sorted, unique lists.
      if (v <= prev)
        throw corruptAt(this.#loc, base + p, 'read postings: list not strictly increasing');
      out[i] = prev = v;
    }
    return out;
  }

  /** One series by ref. */
  async series(ref: number): Promise<SeriesEntry> {
    return (await this.seriesBatch([ref]))[0]!;
  }

  /** Series for `refs` (any order; result in the same order), reading nearby series together. */
  async seriesBatch(refs: ArrayLike<number>, stats?: ReadStats): Promise<SeriesEntry[]> {
    const n = refs.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
    for (let i = 0; i < n; i++) this.#checkRef(refs[i]!);
    const out = new Array<SeriesEntry>(n);
    // Sizes are learned per call, so the same request always makes the same reads (cache hits).
    // With the series count known, the section's average entry size is a good first guess.
    const sizes = new SizeSampler();
    if (this.#avgSeries > 0) for (let k = 0; k < PROBE_SERIES; k++) sizes.add(this.#avgSeries);
    let rest = order;
    if (n > 2 * PROBE_SERIES && sizes.count < PROBE_SERIES) {
      // Too few neighbours to know the sizes: read a few entries first, then plan the rest.
      await this.#readSeriesGroups(refs, order.slice(0, PROBE_SERIES), out, sizes, stats);
      rest = order.slice(PROBE_SERIES);
    }
    await this.#readSeriesGroups(refs, rest, out, sizes, stats);
    return out;
  }

  async #readSeriesGroups(
    refs: ArrayLike<number>,
    order: number[],
    out: SeriesEntry[],
    sizes: SizeSampler,
    stats: ReadStats | undefined,
  ): Promise<void> {
    // Series entries have no stored length: guess from the entries parsed so far.
    const guess = sizes.median(Math.min(this.#readAhead, 256));
    const ahead = Math.min(this.#readAhead, Math.ceil(guess * 1.5) + 16);
    const groups = planReads(
      order,
      (i) => refs[i]! * SERIES_ALIGNMENT,
      () => undefined,
      {
        ahead,
        guess,
        maxGap: this.#maxGap,
        maxRead: this.#maxRead,
        limit: this.#seriesEnd,
      },
    );
    await Promise.all(
      groups.map(async ({ items: group, start, end }) => {
        const buf = await readChecked(
          this.#src,
          this.size,
          start,
          end - start,
          this.#loc.block,
          'read series',
          stats,
        );
        const pre = this.#precheck(buf, start, group, refs);
        for (let k = 0; k < group.length; k++) {
          const i = group[k]!;
          const off = refs[i]! * SERIES_ALIGNMENT;
          let s = this.#parseSeries(
            buf,
            off - start,
            off,
            refs[i]!,
            end >= this.#seriesEnd,
            pre?.[k] ?? UNCHECKED,
          );
          // Longer than the read-ahead: read its length, then exactly the entry.
          for (let tries = 0; typeof s === 'number'; tries++) {
            if (tries === 2) throw corruptAt(this.#loc, off, 'read series: incomplete entry');
            const b2 = await readChecked(
              this.#src,
              this.size,
              off,
              s,
              this.#loc.block,
              'read series',
              stats,
            );
            s = this.#parseSeries(b2, 0, off, refs[i]!, off + s >= this.#seriesEnd);
          }
          out[i] = s;
          const len = uvarintRecordLength(buf, off - start, 4);
          if (len !== undefined) sizes.add(len);
        }
      }),
    );
  }

  #checkRef(ref: number): void {
    const off = ref * SERIES_ALIGNMENT;
    if (
      !Number.isSafeInteger(ref) ||
      ref < 0 ||
      off < this.#seriesStart ||
      off >= this.#seriesEnd
    ) {
      throw corruptAt(this.#loc, Number.isFinite(off) ? off : 0, `series ref ${ref} out of range`);
    }
  }

  /**
   * With a CRC kernel installed (core/tsdb/crc32c.ts), the checksums of a read's series entries in
   * one batch call: entries are mostly too small to repay a kernel call each. Returns each group
   * member's state (CHECKED_OK, CHECKED_BAD, or UNCHECKED for an entry not wholly in `buf`, left
   * to `#parseSeries`), or undefined without a kernel. Mismatches are reported by `#parseSeries`
   * in entry order, so errors are the same as checking one entry at a time.
   */
  #precheck(
    buf: Uint8Array,
    start: number,
    group: readonly number[],
    refs: ArrayLike<number>,
  ): Uint8Array | undefined {
    if (crc32cKernel() === undefined) return undefined;
    const starts: number[] = [];
    const ends: number[] = [];
    const members: number[] = [];
    const want: number[] = [];
    for (let k = 0; k < group.length; k++) {
      const d = new Decbuf(buf, refs[group[k]!]! * SERIES_ALIGNMENT - start);
      const len = d.uvarint();
      const cs = d.pos;
      if (d.err || cs + len + 4 > buf.length) continue;
      starts.push(cs);
      ends.push(cs + len);
      members.push(k);
      want.push(new Decbuf(buf, cs + len).be32());
    }
    const got = crc32cRanges(buf, starts, ends);
    const state = new Uint8Array(group.length); // UNCHECKED
    for (let j = 0; j < members.length; j++)
      state[members[j]!] = got[j] === want[j] ? CHECKED_OK : CHECKED_BAD;
    return state;
  }

  /**
   * Parses the series entry at `buf[p]` (file offset `off`). Returns the total byte length
   * needed when `buf` ends too early and more bytes exist (`atEnd` false). `pre` is the entry's
   * checksum state from `#precheck`.
   */
  #parseSeries(
    buf: Uint8Array,
    p: number,
    off: number,
    ref: number,
    atEnd: boolean,
    pre: number = UNCHECKED,
  ): SeriesEntry | number {
    const loc = this.#loc;
    const d = new Decbuf(buf, p);
    const len = d.uvarint();
    const lenBytes = d.pos - p;
    if (d.err) {
      if (!atEnd && d.err === 'invalid size') return Math.min(16, this.#seriesEnd - off);
      throw corruptAt(loc, off, `read series: ${d.err}`);
    }
    const total = lenBytes + len + 4;
    if (total > buf.length - p) {
      if (!atEnd && off + total <= this.#seriesEnd) return total;
      throw corruptAt(loc, off, `read series: length ${len} exceeds series section`);
    }
    const cs = d.pos;
    const w = cs + len;
    const want = ((buf[w]! << 24) | (buf[w + 1]! << 16) | (buf[w + 2]! << 8) | buf[w + 3]!) >>> 0;
    if (pre === CHECKED_BAD || (pre === UNCHECKED && crc32c(buf, 0, cs, cs + len) !== want))
      throw corruptAt(loc, off, 'read series: checksum mismatch');
    const c = new Decbuf(buf, cs, cs + len);
    const nl = c.uvarint();
    // Each label takes ≥ 2 bytes, each chunk ≥ 3: check counts before allocating.
    if (c.err || nl * 2 > c.remaining)
      throw corruptAt(loc, off, `read series: label count ${nl} exceeds entry`);
    const labels: Label[] = new Array(nl);
    const sym = this.symbols;
    for (let i = 0; i < nl; i++) {
      const nr = c.uvarint();
      const vr = c.uvarint();
      if (c.err) break;
      labels[i] = { name: sym.lookup(nr, off), value: sym.lookup(vr, off) };
    }
    const nc = c.uvarint();
    if (c.err || nc * 3 > c.remaining)
      throw corruptAt(loc, off, `read series: chunk count ${nc} exceeds entry`);
    const chunks: ChunkMeta[] = new Array(nc);
    let mint = 0;
    let maxt = 0;
    let cref = 0;
    for (let i = 0; i < nc; i++) {
      if (i === 0) {
        mint = c.varint();
        maxt = mint + c.uvarint();
        cref = c.uvarint();
      } else {
        mint = maxt + c.uvarint();
        maxt = mint + c.uvarint();
        cref += c.varint();
      }
      if (c.err) break;
      if (cref < 0) throw corruptAt(loc, off, `read series: negative chunk ref`);
      chunks[i] = { mint, maxt, ref: cref };
    }
    if (c.err) throw corruptAt(loc, off, `read series: ${c.err}`);
    return { ref, labels, chunks };
  }
}

export type { PostingsMatcher };
