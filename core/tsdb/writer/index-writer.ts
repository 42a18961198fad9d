/**
 * @module core/tsdb/writer/index-writer — writes a block `index` in format v2 byte for byte as
 * Prometheus 2.42's `index.Writer` (spec: prometheus tsdb/docs/format/index.md):
 *
 *   header (magic 0xBAAAD700, version 2) · symbol table · series (each 16-byte aligned, its ref
 *   is offset/16) · label indices (one per label name, 4-byte aligned) · postings (the all-series
 *   list under name "" value "" first, then per name and value in sorted order, 4-byte aligned) ·
 *   label index table · postings offset table · TOC (six BE64 offsets + CRC-32C).
 *
 * Symbols and series must be added in sorted order (Go byte order), symbols first. Series
 * entries stream out as they are added; only postings (4 bytes per label of each series) stay
 * in memory until `close()`.
 */
import { BadDataError } from '../../errors.ts';
import { compareLabels, compareStrings, type Labels } from '../../labels/labels.ts';
import { Encbuf, crc32c } from '../encoding.ts';
import { INDEX_FILENAME, INDEX_VERSION_2, MAGIC_INDEX, type IndexToc } from '../index-format.ts';
import { SinkFile, type BlockSink } from './sink.ts';

/** The chunk fields the index stores per series. */
export interface IndexChunkMeta {
  readonly minTime: number;
  readonly maxTime: number;
  readonly ref: number;
}

export class IndexWriter {
  readonly #f: SinkFile;
  readonly #enc = new Encbuf(1 << 12);
  readonly #enc2 = new Encbuf(1 << 12);
  #symbols = new Map<string, number>();
  #symbolList: string[] = [];
  #symbolsDone = false;
  #lastSeries: Labels | undefined;
  #numSeries = 0;
  /** name → value → series refs, in insertion (= ref) order. */
  #postings = new Map<string, Map<string, number[]>>();
  #allPostings: number[] = [];
  readonly toc: IndexToc = {
    symbols: 0,
    series: 0,
    labelIndices: 0,
    labelIndicesTable: 0,
    postings: 0,
    postingsTable: 0,
  };

  constructor(sink: BlockSink, name = INDEX_FILENAME) {
    this.#f = new SinkFile(sink, name);
    const e = this.#enc;
    e.reset();
    e.putBE32(MAGIC_INDEX);
    e.putByte(INDEX_VERSION_2);
    this.#f.write(e.get());
  }

  get numSeries(): number {
    return this.#numSeries;
  }

  /** Writes the symbol table. `symbols` must be sorted (Go byte order) and unique. */
  addSymbols(symbols: Iterable<string>): void {
    if (this.#symbolsDone) throw new Error('index: symbols already written');
    const body = this.#enc;
    body.reset();
    body.putBE32(0); // count, patched below
    let n = 0;
    let last: string | undefined;
    for (const s of symbols) {
      if (last !== undefined && compareStrings(s, last) <= 0) {
        throw new BadDataError(`index: symbol ${JSON.stringify(s)} out-of-order`);
      }
      last = s;
      this.#symbols.set(s, n++);
      this.#symbolList.push(s);
      body.putUvarintStr(s);
    }
    body.setBE32(0, n);
    this.toc.symbols = this.#f.position;
    this.#writeSection(body.get());
    this.#symbolsDone = true;
    this.toc.series = this.#f.position;
  }

  /** Writes `bytes` as a section: BE32 length, the bytes, CRC-32C of the bytes. */
  #writeSection(bytes: Uint8Array): void {
    const hdr = new Uint8Array(4);
    new DataView(hdr.buffer).setUint32(0, bytes.length);
    this.#f.write(hdr);
    this.#f.write(bytes);
    this.#writeCrc(crc32c(bytes));
  }

  #writeCrc(crc: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, crc);
    this.#f.write(b);
  }

  /**
   * Adds a series (in label order) with its chunks (in time order, refs already assigned);
   * returns its series ref. Call `drain()` now and then to let bytes flow to the sink.
   */
  addSeries(lset: Labels, chunks: readonly IndexChunkMeta[]): number {
    if (!this.#symbolsDone) this.addSymbols([]);
    if (this.#lastSeries !== undefined && compareLabels(lset, this.#lastSeries) <= 0) {
      throw new BadDataError(
        `index: out-of-order series added with label set ${JSON.stringify(lset)}`,
      );
    }
    const f = this.#f;
    f.pad((16 - (f.position % 16)) % 16);
    const ref = f.position / 16;
    const b = this.#enc2;
    b.reset();
    b.putUvarint(lset.length);
    for (const l of lset) {
      const ni = this.#symbols.get(l.name);
      const vi = this.#symbols.get(l.value);
      if (ni === undefined)
        throw new BadDataError(`index: symbol entry for ${JSON.stringify(l.name)} does not exist`);
      if (vi === undefined)
        throw new BadDataError(`index: symbol entry for ${JSON.stringify(l.value)} does not exist`);
      b.putUvarint(ni);
      b.putUvarint(vi);
      let byValue = this.#postings.get(l.name);
      if (byValue === undefined) this.#postings.set(l.name, (byValue = new Map()));
      const list = byValue.get(l.value);
      if (list === undefined) byValue.set(l.value, [ref]);
      else list.push(ref);
    }
    b.putUvarint(chunks.length);
    if (chunks.length > 0) {
      const c0 = chunks[0]!;
      b.putVarint(c0.minTime);
      b.putUvarint(c0.maxTime - c0.minTime);
      b.putUvarint(c0.ref);
      let t0 = c0.maxTime;
      let ref0 = c0.ref;
      for (let i = 1; i < chunks.length; i++) {
        const c = chunks[i]!;
        if (c.minTime <= t0)
          throw new BadDataError(
            `index: chunk ${i} of ${JSON.stringify(lset)} overlaps the previous one`,
          );
        b.putUvarint(c.minTime - t0);
        b.putUvarint(c.maxTime - c.minTime);
        b.putVarint(c.ref - ref0);
        t0 = c.maxTime;
        ref0 = c.ref;
      }
    }
    const body = b.get();
    const len = this.#enc;
    len.reset();
    len.putUvarint(body.length);
    f.write(len.get());
    f.write(body);
    this.#writeCrc(crc32c(body));
    this.#allPostings.push(ref);
    this.#lastSeries = lset;
    this.#numSeries++;
    return ref;
  }

  async drain(): Promise<void> {
    await this.#f.drain();
  }

  /** Writes label indices, postings, both offset tables and the TOC; returns the index size. */
  async close(): Promise<number> {
    if (!this.#symbolsDone) this.addSymbols([]);
    const f = this.#f;
    const toc = this.toc;
    // Postings entries in file order: all-postings first, then names and values sorted.
    const names = [...this.#postings.keys()].sort(compareStrings);
    const sym = this.#symbols;

    // Label indices: one per name, listing its values' symbol refs.
    toc.labelIndices = f.position;
    const labelIndexOffsets: number[] = [];
    const e = this.#enc;
    for (const name of names) {
      const values = [...this.#postings.get(name)!.keys()]
        .map((v) => sym.get(v)!)
        .sort((a, b) => a - b);
      f.pad((4 - (f.position % 4)) % 4);
      labelIndexOffsets.push(f.position);
      e.reset();
      e.putBE32(1); // number of names in the key
      e.putBE32(values.length);
      for (const v of values) e.putBE32(v);
      this.#writeSection(e.get());
      await f.drain();
    }

    // Postings lists.
    toc.postings = f.position;
    f.pad((4 - (f.position % 4)) % 4);
    const postingOffsets: { name: string; value: string; offset: number }[] = [];
    const writePosting = async (
      name: string,
      value: string,
      refs: readonly number[],
    ): Promise<void> => {
      f.pad((4 - (f.position % 4)) % 4);
      postingOffsets.push({ name, value, offset: f.position });
      e.reset();
      e.putBE32(refs.length);
      for (const r of refs) e.putBE32(r);
      this.#writeSection(e.get());
      await f.drain();
    };
    await writePosting('', '', this.#allPostings);
    for (const name of names) {
      const byValue = this.#postings.get(name)!;
      const values = [...byValue.keys()].sort((a, b) => sym.get(a)! - sym.get(b)!);
      for (const v of values) await writePosting(name, v, byValue.get(v)!);
    }

    // Label index table.
    toc.labelIndicesTable = f.position;
    e.reset();
    e.putBE32(names.length);
    names.forEach((name, i) => {
      e.putUvarint(1);
      e.putUvarintStr(name);
      e.putUvarint(labelIndexOffsets[i]!);
    });
    this.#writeSection(e.get());

    // Postings offset table.
    toc.postingsTable = f.position;
    e.reset();
    e.putBE32(postingOffsets.length);
    for (const p of postingOffsets) {
      e.putUvarint(2);
      e.putUvarintStr(p.name);
      e.putUvarintStr(p.value);
      e.putUvarint(p.offset);
    }
    this.#writeSection(e.get());

    // TOC.
    e.reset();
    e.putBE64(toc.symbols);
    e.putBE64(toc.series);
    e.putBE64(toc.labelIndices);
    e.putBE64(toc.labelIndicesTable);
    e.putBE64(toc.postings);
    e.putBE64(toc.postingsTable);
    const tocBytes = e.get().slice();
    f.write(tocBytes);
    this.#writeCrc(crc32c(tocBytes));
    return f.close();
  }

  async abort(reason?: unknown): Promise<void> {
    await this.#f.abort(reason);
  }
}
