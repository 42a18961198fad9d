/**
 * @module core/tsdb/index-header — the index header: everything an IndexReader needs to open a
 * block's `index` (its size, TOC, symbol table and postings offset table), in one object the store
 * gateway keeps beside the block, so that opening a block costs one read of the header instead
 * of several range reads of the index. Thanos's store gateway builds the same parts into its
 * "index-header"; this binary format is our own. A small index is carried whole ("inline"), so a
 * block with one needs no other index read at all.
 *
 * Layout (integers big-endian; the copied sections are byte-for-byte the index's own, with their
 * own length and CRC, as prometheus tsdb/docs/format/index.md describes them):
 *
 *   magic <4b> | version <1b> | index size <8b> | TOC: 6 × offset <8b>
 *   | symbols length <8b> | symbol table bytes         index [toc.symbols, end of the symbol table)
 *   | postings table length <8b> | its bytes          index [toc.postingsTable, TOC)
 *   | index length <8b> | index bytes                 0, or the whole index (inline); the two
 *                                                     section lengths are then 0: no copy twice
 *   | CRC32C <4b>                                     over every byte before it
 */
import { Decbuf } from './encoding.ts';
import { crc32c } from './crc32c.ts';
import {
  INDEX_HEADER_LEN,
  INDEX_TOC_LEN,
  checkIndexMagic,
  corruptAt,
  parseToc,
  sectionDecbuf,
  sectionEnd,
  tocProblem,
  type IndexLocation,
  type IndexToc,
} from './index-format.ts';
import { PostingsTable } from './index-postings-table.ts';
import { Symbols } from './index-symbols.ts';
import { readChecked, type ByteSource, type ReadStats } from './source.ts';

/** Default name of the header file in errors (Thanos keeps `<block>/index-header` on disk). */
export const INDEX_HEADER_FILENAME = 'index-header';
/** "baaad7" as the index's own magic, "ed" for edge; differs from Thanos's 0xBAAAD792. */
export const MAGIC_INDEX_HEADER = 0xbaaad7ed;
export const INDEX_HEADER_VERSION_1 = 1;
/** The version `encodeIndexHeader` writes and the only one `decodeIndexHeader` reads. */
export const INDEX_HEADER_VERSION = INDEX_HEADER_VERSION_1;
/** Indexes smaller than this are carried whole in their header by default. */
export const DEFAULT_INLINE_BELOW = 256 * 1024;
/**
 * First read of a large index when building: its tail, which must hold the TOC and the postings
 * offset table (the last section before the TOC). max(TAIL_MIN, size × TAIL_FRACTION), at most
 * TAIL_MAX; a table longer than the guess costs one more read of exactly what is missing, made
 * in parallel with the head read (one more request, no more latency). The table is about 6% of
 * a Kubernetes-like index (test/fixtures/cluster-series.ts), 20-25% with a label unique to each
 * series: 1/8 covers the usual case with room, and reads at most 1/8 of the index in vain.
 */
export const TAIL_MIN = 64 * 1024;
export const TAIL_FRACTION = 1 / 8;
export const TAIL_MAX = 8 * 1024 * 1024;

const CRC_LEN = 4;
/** Offsets of the fixed fields: after magic <4b> and version <1b>, the index size, then the TOC. */
const SIZE_POS = 5;
const TOC_POS = SIZE_POS + 8;
const FIXED_LEN = TOC_POS + 6 * 8;
/** Everything but the three variable byte runs: fixed part, three lengths, CRC. */
const MIN_LEN = FIXED_LEN + 3 * 8 + CRC_LEN;
const TWO_32 = 0x1_0000_0000;
const EMPTY = new Uint8Array(0);

/** What an index header holds; what `IndexReader` parses to open an index. */
export interface IndexHeaderParts {
  /** Size of the index file in bytes. */
  readonly indexSize: number;
  readonly toc: IndexToc;
  /** Index bytes [toc.symbols, end of the symbol table section). */
  readonly symbols: Uint8Array;
  /** Index bytes [toc.postingsTable, TOC). */
  readonly postingsTable: Uint8Array;
  /** The whole index when the header carries it; `symbols` and `postingsTable` are then views into it. */
  readonly index?: Uint8Array;
}

/** The in-memory structures an IndexReader opens from the parts. */
export interface ParsedIndexSections {
  readonly symbols: Symbols;
  readonly postings: PostingsTable;
}

/**
 * Parses the symbol table and the postings offset table of `parts` (the one parser for an index
 * opened by range reads and one opened from a header). Errors name the index (`loc`) and offsets
 * in it: the sections are the index's bytes, whichever way they arrived.
 */
export function parseIndexSections(
  parts: IndexHeaderParts,
  loc: IndexLocation,
): ParsedIndexSections {
  const { toc } = parts;
  const tocOff = parts.indexSize - INDEX_TOC_LEN;
  const symbols = new Symbols(
    sectionDecbuf(parts.symbols, 0, toc.symbols, loc, 'symbols'),
    toc.symbols,
    loc,
  );
  // Postings lists lie between the postings section start and the next section (or the TOC).
  const postingsStart = toc.postings === 0 ? INDEX_HEADER_LEN : toc.postings;
  const postingsEnd = toc.postings === 0 ? tocOff : sectionEnd(toc, toc.postings, tocOff);
  const postings = new PostingsTable(
    sectionDecbuf(parts.postingsTable, 0, toc.postingsTable, loc, 'postings offset table'),
    toc.postingsTable,
    loc,
    postingsStart,
    postingsEnd,
  );
  return { symbols, postings };
}

/** What makes `parts` inconsistent (section lengths that do not match the TOC), or undefined. */
function partsProblem(p: IndexHeaderParts): string | undefined {
  if (!Number.isSafeInteger(p.indexSize) || p.indexSize < INDEX_HEADER_LEN + INDEX_TOC_LEN)
    return `index size ${p.indexSize} too small`;
  const bad = tocProblem(p.toc, p.indexSize);
  if (bad) return `TOC: ${bad}`;
  const tocOff = p.indexSize - INDEX_TOC_LEN;
  const symLen = sectionEnd(p.toc, p.toc.symbols, tocOff) - p.toc.symbols;
  if (p.symbols.length !== symLen)
    return `symbol table is ${p.symbols.length} bytes, the TOC says ${symLen}`;
  const ptLen = tocOff - p.toc.postingsTable;
  if (p.postingsTable.length !== ptLen)
    return `postings offset table is ${p.postingsTable.length} bytes, the TOC says ${ptLen}`;
  if (p.index && p.index.length !== p.indexSize)
    return `inline index is ${p.index.length} bytes, not ${p.indexSize}`;
  return undefined;
}

/** Serializes `parts` (see the layout above). Inconsistent parts are a caller bug: RangeError. */
export function encodeIndexHeader(parts: IndexHeaderParts): Uint8Array {
  const bad = partsProblem(parts);
  if (bad) throw new RangeError(`encodeIndexHeader: ${bad}`);
  const idx = parts.index ?? EMPTY;
  const sym = parts.index ? EMPTY : parts.symbols;
  const pt = parts.index ? EMPTY : parts.postingsTable;
  const out = new Uint8Array(MIN_LEN + sym.length + pt.length + idx.length);
  const dv = new DataView(out.buffer);
  let p = 0;
  const be64 = (v: number) => {
    dv.setUint32(p, Math.floor(v / TWO_32));
    dv.setUint32(p + 4, v >>> 0);
    p += 8;
  };
  const run = (b: Uint8Array) => {
    be64(b.length);
    out.set(b, p);
    p += b.length;
  };
  dv.setUint32(p, MAGIC_INDEX_HEADER);
  p += 4;
  out[p++] = INDEX_HEADER_VERSION;
  be64(parts.indexSize);
  const t = parts.toc;
  for (const v of [
    t.symbols,
    t.series,
    t.labelIndices,
    t.labelIndicesTable,
    t.postings,
    t.postingsTable,
  ])
    be64(v);
  run(sym);
  run(pt);
  run(idx);
  dv.setUint32(p, crc32c(out, 0, 0, p));
  return out;
}

/**
 * Parses and checks a header: magic, version, CRC, every length against the bytes present and
 * the section lengths against the TOC. Any defect is a CorruptBlockError naming `loc` (the
 * header file) and the offset in it. The sections are views into `bytes` (no copy).
 */
export function decodeIndexHeader(bytes: Uint8Array, loc: IndexLocation): IndexHeaderParts {
  if (bytes.length < MIN_LEN)
    throw corruptAt(
      loc,
      0,
      `read index header: ${bytes.length} bytes, shorter than its fixed part`,
    );
  const d = new Decbuf(bytes, 0, bytes.length - CRC_LEN);
  const magic = d.be32();
  if (magic !== MAGIC_INDEX_HEADER)
    throw corruptAt(loc, 0, `read index header: invalid magic 0x${magic.toString(16)}`);
  const version = d.byte();
  if (version !== INDEX_HEADER_VERSION)
    throw corruptAt(loc, 4, `read index header: unsupported version ${version}`);
  const crcPos = bytes.length - CRC_LEN;
  if (crc32c(bytes, 0, 0, crcPos) !== new Decbuf(bytes, crcPos).be32())
    throw corruptAt(loc, crcPos, 'read index header: checksum mismatch');
  const indexSize = d.be64();
  const toc: IndexToc = {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelIndicesTable: d.be64(),
    postings: d.be64(),
    postingsTable: d.be64(),
  };
  const symPos = d.pos;
  let symbols = d.bytesView(d.be64());
  const ptPos = d.pos;
  let postingsTable = d.bytesView(d.be64());
  const idxPos = d.pos;
  const idxLen = d.be64();
  const index = idxLen === 0 ? undefined : d.bytesView(idxLen);
  if (d.err) throw corruptAt(loc, d.errPos, `read index header: ${d.err}`);
  if (d.pos !== crcPos)
    throw corruptAt(loc, d.pos, `read index header: ${crcPos - d.pos} bytes after the last field`);
  if (!Number.isSafeInteger(indexSize) || indexSize < INDEX_HEADER_LEN + INDEX_TOC_LEN)
    throw corruptAt(loc, SIZE_POS, `read index header: index size ${indexSize} too small`);
  const badToc = tocProblem(toc, indexSize);
  if (badToc) throw corruptAt(loc, TOC_POS, `read index header: TOC ${badToc}`);
  const tocOff = indexSize - INDEX_TOC_LEN;
  const symEnd = sectionEnd(toc, toc.symbols, tocOff);
  if (index) {
    if (symbols.length !== 0 || postingsTable.length !== 0)
      throw corruptAt(loc, symPos, 'read index header: sections copied beside an inline index');
    if (index.length !== indexSize)
      throw corruptAt(loc, idxPos, `read index header: inline index is not ${indexSize} bytes`);
    // The inline index is the index file itself: its own header and TOC must agree. Offsets in
    // these errors are the index's (as for every later error about the index's bytes).
    const indexLoc: IndexLocation = { block: loc.block, file: `${loc.file} (inline index)` };
    checkIndexMagic(index, indexLoc);
    const own = parseToc(index.subarray(tocOff), indexSize, indexLoc);
    for (const k of Object.keys(toc) as (keyof IndexToc)[])
      if (own[k] !== toc[k])
        throw corruptAt(
          loc,
          TOC_POS,
          `read index header: TOC ${k} differs from the inline index's`,
        );
    symbols = index.subarray(toc.symbols, symEnd);
    postingsTable = index.subarray(toc.postingsTable, tocOff);
  } else {
    if (symbols.length !== symEnd - toc.symbols)
      throw corruptAt(
        loc,
        symPos,
        `read index header: symbol table length ${symbols.length} disagrees with the TOC`,
      );
    if (postingsTable.length !== tocOff - toc.postingsTable)
      throw corruptAt(
        loc,
        ptPos,
        `read index header: postings offset table length ${postingsTable.length} disagrees with the TOC`,
      );
  }
  return { indexSize, toc, symbols, postingsTable, index };
}

export interface BuildIndexHeaderOptions {
  /** Block ULID, for error messages. */
  block?: string;
  /** Carry the whole index in the header when it is smaller than this (default 256 KiB; 0: never). */
  inlineBelow?: number;
  /**
   * The index's size when already known (meta.json's `thanos.files` lists it): saves the
   * `src.size()` call, which is a request (HEAD) for a bucket object.
   */
  size?: number;
  /** Bytes of the first (tail) read of a large index; default from TAIL_MIN/FRACTION/MAX. */
  tailBytes?: number;
  /** Counts the reads. */
  stats?: ReadStats;
}

/** The default first read of an index of `size` bytes: its tail, see TAIL_MIN. */
export function tailGuess(size: number): number {
  return Math.min(TAIL_MAX, Math.max(TAIL_MIN, Math.ceil(size * TAIL_FRACTION)));
}

/**
 * Builds the header of the index in `src`, checked as `IndexReader.open` checks it (a header is
 * never made from an index that would not open). Requests to `src`, plus one `size()` unless
 * `opts.size` is given:
 * - index below `inlineBelow`: 1 read, the whole file (the header carries it);
 * - otherwise the tail (guessed length), then the head (index header + symbol table, whose end
 *   the TOC gives) in parallel with whatever part of the postings offset table the tail missed:
 *   2 reads usually, 3 when the table is longer than the guess, 1 when the tail is the whole file.
 */
export async function buildIndexHeader(
  src: ByteSource,
  opts: BuildIndexHeaderOptions = {},
): Promise<Uint8Array> {
  const loc: IndexLocation = { block: opts.block, file: src.name };
  const block = opts.block;
  const size = opts.size ?? (await src.size());
  if (!Number.isSafeInteger(size) || size < INDEX_HEADER_LEN + INDEX_TOC_LEN)
    throw corruptAt(loc, 0, `index too small (${size} bytes)`);
  const tocOff = size - INDEX_TOC_LEN;
  let parts: IndexHeaderParts;
  if (size < (opts.inlineBelow ?? DEFAULT_INLINE_BELOW)) {
    const index = await readChecked(src, size, 0, size, block, 'read index', opts.stats);
    const toc = parseToc(index.subarray(tocOff), size, loc);
    checkIndexMagic(index, loc);
    parts = {
      indexSize: size,
      toc,
      symbols: index.subarray(toc.symbols, sectionEnd(toc, toc.symbols, tocOff)),
      postingsTable: index.subarray(toc.postingsTable, tocOff),
      index,
    };
  } else {
    const tailStart =
      size - Math.min(size, Math.max(INDEX_TOC_LEN, opts.tailBytes ?? tailGuess(size)));
    const tail = await readChecked(
      src,
      size,
      tailStart,
      size - tailStart,
      block,
      'read index tail',
      opts.stats,
    );
    const toc = parseToc(tail.subarray(tocOff - tailStart), size, loc);
    // Index bytes [a, b): from the tail where it has them, the rest in one read.
    const range = async (a: number, b: number, what: string): Promise<Uint8Array> => {
      if (a >= tailStart) return tail.subarray(a - tailStart, b - tailStart);
      if (b <= tailStart) return readChecked(src, size, a, b - a, block, what, opts.stats);
      const out = new Uint8Array(b - a);
      out.set(await readChecked(src, size, a, tailStart - a, block, what, opts.stats));
      out.set(tail.subarray(0, b - tailStart), tailStart - a);
      return out;
    };
    const symEnd = sectionEnd(toc, toc.symbols, tocOff);
    const [head, postingsTable] = await Promise.all([
      range(0, symEnd, 'read symbols'),
      range(toc.postingsTable, tocOff, 'read postings offset table'),
    ]);
    checkIndexMagic(head, loc);
    parts = { indexSize: size, toc, symbols: head.subarray(toc.symbols), postingsTable };
  }
  parseIndexSections(parts, loc);
  return encodeIndexHeader(parts);
}
