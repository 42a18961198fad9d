/**
 * @module test/helpers/crafted-blocks — FAULT INJECTION: blocks our writer never produces, for
 * `tools bucket verify`. Each is a real block written by core/tsdb/writer and then crafted: bytes
 * of its index patched (with the section's CRC recomputed, so only the verifier's checks can
 * notice), or chunk metas handed to the low-level assembler out of order or past the block's range.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labelsFrom } from '../../core/labels/labels.ts';
import { Decbuf, crc32c } from '../../core/tsdb/encoding.ts';
import { INDEX_TOC_LEN } from '../../core/tsdb/index-format.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import {
  BlockAssembler,
  encodeChunks,
  writeBlock,
  type SeriesSamples,
} from '../../core/tsdb/writer/block-writer.ts';
import { dirSinkFactory } from '../../sidecar-agent/tsdb/dir-sink.ts';

const STEP = 30_000;

/** Samples every 30s over [from, to). */
export function samples(
  labels: Record<string, string>,
  from: number,
  to: number,
  seed = 1,
): SeriesSamples {
  const ts: number[] = [];
  for (let t = from; t < to; t += STEP) ts.push(t);
  return {
    labels: labelsFrom(labels),
    timestamps: Float64Array.from(ts),
    values: Float64Array.from(ts, (_t, i) => i * seed),
  };
}

interface Toc {
  symbols: number;
  series: number;
  labelIndices: number;
  postings: number;
}

function readToc(b: Buffer): Toc {
  const at = b.length - INDEX_TOC_LEN;
  const v = (i: number): number => Number(b.readBigUInt64BE(at + i * 8));
  return { symbols: v(0), series: v(1), labelIndices: v(2), postings: v(4) };
}

/** Recomputes the CRC of the `len | content | CRC` section at `off`. */
function resealSection(b: Buffer, off: number): void {
  const len = b.readUInt32BE(off);
  b.writeUInt32BE(crc32c(b, 0, off + 4, off + 4 + len), off + 4 + len);
}

async function patchIndex(dir: string, ulid: string, patch: (b: Buffer, toc: Toc) => void) {
  const path = join(dir, ulid, 'index');
  const b = await readFile(path);
  patch(b, readToc(b));
  await writeFile(path, b);
}

/**
 * Series x{k="a"} … x{k="d"}; then the symbol table is patched so "b" reads "a" and "c" and "d"
 * trade places: the second series duplicates the first, the last two are out of order, and the
 * postings of `k` no longer match the series' labels.
 */
export async function craftBadSymbolsBlock(dir: string, from: number): Promise<BlockMeta> {
  const series = ['a', 'b', 'c', 'd'].map((k, i) =>
    samples({ __name__: 'x', k }, from, from + 2 * 3600_000, i + 1),
  );
  const meta = (await writeBlock(dirSinkFactory(dir, { fsync: false }), series, {
    minTime: from,
    maxTime: from + 2 * 3600_000,
  }))!;
  await patchIndex(dir, meta.ulid, (b, toc) => {
    const off = toc.symbols;
    const count = b.readUInt32BE(off + 4);
    const swap: Record<string, string> = { b: 'a', c: 'd', d: 'c' };
    let p = off + 8;
    for (let i = 0; i < count; i++) {
      const n = b[p]!; // every symbol here is shorter than 128 bytes: a one-byte length
      const s = b.toString('latin1', p + 1, p + 1 + n);
      if (n === 1 && swap[s]) b.write(swap[s]!, p + 1, 'latin1');
      p += 1 + n;
    }
    resealSection(b, off);
  });
  return meta;
}

/**
 * The last ref of the all-postings list is moved past the series section: a posting that points
 * nowhere (and the last series is then missing from all-postings).
 */
export async function craftDanglingPostingsBlock(dir: string, from: number): Promise<BlockMeta> {
  const series = ['a', 'b', 'c'].map((k, i) =>
    samples({ __name__: 'z', k }, from, from + 2 * 3600_000, i + 1),
  );
  const meta = (await writeBlock(dirSinkFactory(dir, { fsync: false }), series, {
    minTime: from,
    maxTime: from + 2 * 3600_000,
  }))!;
  await patchIndex(dir, meta.ulid, (b, toc) => {
    // The all-postings list (name "", value "") is the first postings list.
    const off = toc.postings;
    const n = b.readUInt32BE(off + 4);
    b.writeUInt32BE(Math.ceil(toc.labelIndices / 16) + 1000, off + 8 + 4 * (n - 1));
    resealSection(b, off);
  });
  return meta;
}

/**
 * Written with the low-level assembler, which takes chunk metas as given: y{i="2"} has a chunk
 * past the block's maxTime (the block claims only its first hour), y{i="3"} a chunk whose samples
 * go past the end the index gives it. Then y{i="1"}'s entry is
 * patched so its second chunk starts where the first ends (the format cannot say "earlier": the
 * start is an unsigned delta from the previous end) — overlapping, out-of-order chunks.
 */
export async function craftBadChunksBlock(dir: string, from: number): Promise<BlockMeta> {
  const hour = 3600_000;
  const w = new BlockAssembler(dirSinkFactory(dir, { fsync: false }));
  w.setSymbols(['', '1', '2', '3', '__name__', 'i', 'y']);
  const s1 = samples({ __name__: 'y', i: '1' }, from, from + hour);
  const c1 = encodeChunks(s1.timestamps, s1.values, s1.timestamps.length, hour / 2);
  if (c1.length !== 2) throw new Error(`expected 2 chunks, got ${c1.length}`);
  await w.addSeries(s1.labels, c1);
  const s2 = samples({ __name__: 'y', i: '2' }, from, from + 2 * hour);
  await w.addSeries(s2.labels, encodeChunks(s2.timestamps, s2.values, s2.timestamps.length, hour));
  // y{i="3"}: the index says the chunk ends a minute before its last sample.
  const s3 = samples({ __name__: 'y', i: '3' }, from, from + hour / 2);
  const [c3] = encodeChunks(s3.timestamps, s3.values, s3.timestamps.length, hour);
  await w.addSeries(s3.labels, [{ ...c3!, maxTime: c3!.maxTime - 60_000 }]);
  const meta = (await w.finish(from, from + hour))!;
  await patchIndex(dir, meta.ulid, (b, toc) => {
    const u8 = new Uint8Array(b.buffer, b.byteOffset, b.length);
    // y{i="1"} is the first entry of the series section.
    const d = new Decbuf(u8, Math.ceil(toc.series / 16) * 16); // series entries are 16-byte aligned
    const len = d.uvarint();
    const content = d.pos;
    const labels = d.uvarint();
    for (let i = 0; i < 2 * labels; i++) d.uvarint();
    if (d.uvarint() !== 2) throw new Error('expected two chunks');
    d.varint(); // chunk 0: mint, maxt - mint, ref
    d.uvarint();
    d.uvarint();
    const at = d.pos;
    d.uvarint(); // chunk 1: mint - chunk 0's maxt
    const n = d.pos - at;
    // An over-long zero of the same length keeps every later byte in place.
    for (let k = 0; k < n; k++) u8[at + k] = k < n - 1 ? 0x80 : 0x00;
    b.writeUInt32BE(crc32c(u8, 0, content, content + len), content + len);
  });
  return meta;
}
