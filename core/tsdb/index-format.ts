/**
 * @module core/tsdb/index-format — constants and the table of contents of the index format v2
 * (prometheus tsdb/docs/format/index.md). The TOC is the last 52 bytes: six big-endian uint64
 * section offsets and a CRC-32C over them.
 */
import { CorruptBlockError } from '../errors.ts';
import { Decbuf, crc32c } from './encoding.ts';

export const INDEX_FILENAME = 'index';
export const MAGIC_INDEX = 0xbaaad700;
export const INDEX_VERSION_1 = 1;
export const INDEX_VERSION_2 = 2;
/** magic <4b> + version <1b>. */
export const INDEX_HEADER_LEN = 5;
/** 6 × 8-byte offsets + CRC32. */
export const INDEX_TOC_LEN = 6 * 8 + 4;
/** Series entries start at multiples of 16; a v2 series ref is its offset / 16. */
export const SERIES_ALIGNMENT = 16;
/** The postings list of every series is stored under the empty label pair. */
export const ALL_POSTINGS_NAME = '';
export const ALL_POSTINGS_VALUE = '';

export interface IndexToc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}

/** Location helper: every index error names block, file and offset. */
export interface IndexLocation {
  readonly block: string | undefined;
  readonly file: string;
}

export function corruptAt(
  loc: IndexLocation,
  offset: number,
  msg: string,
  cause?: unknown,
): CorruptBlockError {
  return new CorruptBlockError(
    msg,
    { block: loc.block, file: loc.file, offset },
    cause === undefined ? undefined : { cause },
  );
}

/** Parses the TOC from the last INDEX_TOC_LEN bytes of an index of `size` bytes. */
export function parseToc(b: Uint8Array, size: number, loc: IndexLocation): IndexToc {
  const tocOff = size - INDEX_TOC_LEN;
  const want = new Decbuf(b, INDEX_TOC_LEN - 4).be32();
  if (crc32c(b, 0, 0, INDEX_TOC_LEN - 4) !== want)
    throw corruptAt(loc, tocOff, 'read TOC: checksum mismatch');
  const d = new Decbuf(b, 0, INDEX_TOC_LEN - 4);
  const toc: IndexToc = {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelIndicesTable: d.be64(),
    postings: d.be64(),
    postingsTable: d.be64(),
  };
  if (d.err) throw corruptAt(loc, tocOff, `read TOC: ${d.err}`);
  const bad = tocProblem(toc, size);
  if (bad) throw corruptAt(loc, tocOff, `read TOC: ${bad}`);
  return toc;
}

/**
 * What is wrong with `toc` for an index of `size` bytes, or undefined when every offset is
 * usable. Shared by the TOC read from an index and the TOC stored in an index header.
 */
export function tocProblem(toc: IndexToc, size: number): string | undefined {
  const tocOff = size - INDEX_TOC_LEN;
  for (const [k, v] of Object.entries(toc)) {
    // Zero means "section absent"; anything else must point between the header and the TOC.
    if (v !== 0 && (v < INDEX_HEADER_LEN || v >= tocOff)) return `${k} offset ${v} out of range`;
  }
  if (toc.symbols === 0) return 'no symbol table';
  if (toc.postingsTable === 0) return 'no postings offset table';
  return undefined;
}

/** Checks the index file's own header (`magic <4b> | version <1b>`) at the start of `head`. */
export function checkIndexMagic(head: Uint8Array, loc: IndexLocation): void {
  const h = new Decbuf(head);
  const magic = h.be32();
  if (h.err || magic !== MAGIC_INDEX)
    throw corruptAt(loc, 0, `invalid index magic 0x${magic.toString(16)}`);
  const version = h.byte();
  if (h.err || version !== INDEX_VERSION_2)
    throw corruptAt(loc, 4, `unsupported index version ${version}`);
}

/** End of the section starting at `off`: the next larger section offset, or the TOC. */
export function sectionEnd(toc: IndexToc, off: number, tocOff: number): number {
  let end = tocOff;
  for (const v of [
    toc.symbols,
    toc.series,
    toc.labelIndices,
    toc.labelIndicesTable,
    toc.postings,
    toc.postingsTable,
  ]) {
    if (v > off && v < end) end = v;
  }
  return end;
}

/**
 * Checks a `len <4b> | content | CRC32 <4b>` section that starts at `start` in `b` (whose first
 * byte is at file offset `base`) and returns a Decbuf over its content.
 */
export function sectionDecbuf(
  b: Uint8Array,
  start: number,
  base: number,
  loc: IndexLocation,
  what: string,
): Decbuf {
  const d = new Decbuf(b, start);
  const len = d.be32();
  if (d.err || len > d.remaining - 4)
    throw corruptAt(loc, base + start, `read ${what}: length ${len} exceeds section`);
  const cstart = start + 4;
  const want = new Decbuf(b, cstart + len).be32();
  if (crc32c(b, 0, cstart, cstart + len) !== want)
    throw corruptAt(loc, base + start, `read ${what}: checksum mismatch`);
  return new Decbuf(b, cstart, cstart + len);
}
