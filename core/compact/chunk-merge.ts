/**
 * @module core/compact/chunk-merge — one output series from the same series in several input
 * blocks. When its chunks do not overlap in time and nothing is deleted, they are copied as they
 * are, bytes untouched (Prometheus's compactor does the same). Otherwise the samples are decoded,
 * merged by time (a timestamp present in several inputs is kept once, from the first input, as
 * Prometheus's chained merge), HA replicas deduplicated with the querier's penalty algorithm
 * when asked, and re-encoded into XOR chunks of at most 120 samples.
 */
import { CorruptBlockError, NotSupportedError } from '../errors.ts';
import { ENCODING_XOR, XorAppender, decodeXor, xorSampleCount } from '../chunkenc/xor.ts';
import { LITTLE_ENDIAN, u32View } from '../chunkenc/stale.ts';
import { dedupPair } from '../dedup/penalty.ts';
import type { BlockChunk } from '../tsdb/block-reader.ts';
import { isDeleted } from '../tsdb/tombstones.ts';
import type { ChunkMeta } from '../tsdb/writer/chunk-writer.ts';
import type { InputChunk, InputSeries } from './block-series.ts';

/** Samples per re-encoded chunk (Prometheus's seriesToChunkEncoder splits at 120). */
export const MERGED_CHUNK_SAMPLES = 120;

export interface SeriesPart {
  readonly series: InputSeries;
  /** Block the part comes from, for error messages. */
  readonly block: string;
  /** Replica the block belongs to (its replica labels); '' when not deduplicating. */
  readonly replica: string;
}

export interface MergeOptions {
  /** Deduplicate replicas with the penalty algorithm (vertical compaction with replica labels). */
  readonly penalty?: boolean;
}

/** What merging one series did: chunks to write, and whether it had to re-encode. */
export interface MergedSeries {
  readonly chunks: ChunkMeta[];
  readonly reencoded: boolean;
}

export function mergeSeries(parts: readonly SeriesPart[], opts: MergeOptions = {}): MergedSeries {
  const copied = copyInOrder(parts);
  if (copied) return { reencoded: false, chunks: copied };
  const all: { c: InputChunk; block: string }[] = [];
  let deletes = false;
  for (const p of parts) {
    if (p.series.deleted && p.series.deleted.length > 0) deletes = true;
    for (const c of p.series.chunks) all.push({ c, block: p.block });
  }
  all.sort((x, y) => x.c.mint - y.c.mint || x.c.maxt - y.c.maxt);
  let overlap = false;
  for (let i = 1; i < all.length; i++) if (all[i]!.c.mint <= all[i - 1]!.c.maxt) overlap = true;
  if (!overlap && !deletes) {
    return { reencoded: false, chunks: all.map(({ c, block }) => copiedChunk(c, block)) };
  }
  // Per replica: all its samples merged by time; then replicas deduplicated.
  const byReplica = new Map<string, SeriesPart[]>();
  for (const p of parts) {
    const l = byReplica.get(p.replica) ?? [];
    l.push(p);
    byReplica.set(p.replica, l);
  }
  let merged: { t: Float64Array; v: Float64Array } | undefined;
  for (const ps of byReplica.values()) {
    const own = chainMerge(ps);
    if (!merged) merged = own;
    else if (opts.penalty) merged = dedupPair(merged.t, merged.v, own.t, own.v);
    else merged = chainMergeArrays([merged, own]);
  }
  return { reencoded: true, chunks: encodeSamples(merged!.t, merged!.v, merged!.t.length) };
}

/**
 * The common case without sorting: parts in time order (a compaction's inputs are), chunks apart
 * and nothing deleted. Their chunks are copied as they are; undefined otherwise.
 */
function copyInOrder(parts: readonly SeriesPart[]): ChunkMeta[] | undefined {
  // Indexed loops: this runs per series of a compaction, before V8 optimizes it away from
  // allocating an iterator result per step.
  let n = 0;
  let last = -Infinity;
  for (let i = 0; i < parts.length; i++) {
    const s = parts[i]!.series;
    if (s.deleted && s.deleted.length > 0) return undefined;
    for (let j = 0; j < s.chunks.length; j++) {
      const c = s.chunks[j]!;
      if (c.mint <= last) return undefined;
      last = c.maxt;
      n++;
    }
  }
  const out = new Array<ChunkMeta>(n);
  let k = 0;
  for (let i = 0; i < parts.length; i++) {
    const { series, block } = parts[i]!;
    for (let j = 0; j < series.chunks.length; j++) out[k++] = copiedChunk(series.chunks[j]!, block);
  }
  return out;
}

/** A chunk written as it was read; its checksum was verified when read, so it is kept. */
function copiedChunk(c: InputChunk, block: string): ChunkMeta {
  return {
    minTime: c.mint,
    maxTime: c.maxt,
    data: c.data,
    encoding: c.encoding,
    numSamples: sampleCount(c, block),
    ref: 0,
    crc: c.crc,
  };
}

function sampleCount(c: BlockChunk, block: string): number {
  if (c.encoding !== ENCODING_XOR)
    throw new NotSupportedError(`block ${block}: chunk encoding ${c.encoding} is not supported`);
  try {
    return xorSampleCount(c.data);
  } catch (err) {
    throw new CorruptBlockError('read chunk', { block, offset: c.ref }, { cause: err });
  }
}

/** Decodes each part's chunks (dropping deleted samples) and merges them by time. */
function chainMerge(parts: readonly SeriesPart[]): { t: Float64Array; v: Float64Array } {
  const lists = parts.map((p) => {
    let n = 0;
    for (const c of p.series.chunks) n += sampleCount(c, p.block);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let at = 0;
    for (const c of p.series.chunks) {
      try {
        at += decodeXor(c.data, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, t, v, at);
      } catch (err) {
        throw new CorruptBlockError(
          'decode chunk',
          { block: p.block, offset: c.ref },
          { cause: err },
        );
      }
    }
    // Chunks of one block never overlap, but are merged anyway in case a block is odd.
    const del = p.series.deleted;
    let k = 0;
    for (let i = 0; i < at; i++) {
      if (del && isDeleted(del, t[i]!)) continue;
      t[k] = t[i]!;
      copyBits(v, i, v, k);
      k++;
    }
    return { t: t.subarray(0, k), v: v.subarray(0, k) };
  });
  return chainMergeArrays(lists);
}

const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/** Copies one float's bits (NaN payloads, such as the stale marker, survive). */
function copyBits(from: Float64Array, i: number, to: Float64Array, j: number): void {
  const a = u32View(from.buffer);
  const b = u32View(to.buffer);
  const ai = (from.byteOffset >>> 2) + 2 * i;
  const bj = (to.byteOffset >>> 2) + 2 * j;
  b[bj] = a[ai]!;
  b[bj + 1] = a[ai + 1]!;
}

/** Merges time-sorted sample lists; an equal timestamp keeps the earliest list's sample. */
export function chainMergeArrays(lists: readonly { t: Float64Array; v: Float64Array }[]): {
  t: Float64Array;
  v: Float64Array;
} {
  let total = 0;
  for (const l of lists) total += l.t.length;
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  const pos = new Array<number>(lists.length).fill(0);
  let n = 0;
  for (;;) {
    let best = -1;
    let bt = Infinity;
    for (let i = 0; i < lists.length; i++) {
      const p = pos[i]!;
      if (p < lists[i]!.t.length && lists[i]!.t[p]! < bt) {
        bt = lists[i]!.t[p]!;
        best = i;
      }
    }
    if (best < 0) break;
    t[n] = bt;
    copyBits(lists[best]!.v, pos[best]!, v, n);
    n++;
    for (let i = 0; i < lists.length; i++) {
      const p = pos[i]!;
      if (p < lists[i]!.t.length && lists[i]!.t[p]! === bt) pos[i] = p + 1;
    }
  }
  return { t: t.subarray(0, n), v: v.subarray(0, n) };
}

/** XOR chunks of at most MERGED_CHUNK_SAMPLES samples each, values' bits kept. */
export function encodeSamples(t: Float64Array, v: Float64Array, n: number): ChunkMeta[] {
  const words = u32View(v.buffer);
  const base = v.byteOffset >>> 2;
  const out: ChunkMeta[] = [];
  for (let s = 0; s < n; s += MERGED_CHUNK_SAMPLES) {
    const e = Math.min(n, s + MERGED_CHUNK_SAMPLES);
    const app = new XorAppender();
    for (let i = s; i < e; i++)
      app.appendBits(t[i]!, words[base + 2 * i + HI]!, words[base + 2 * i + LO]!);
    out.push({
      minTime: t[s]!,
      maxTime: t[e - 1]!,
      data: app.bytes(),
      encoding: ENCODING_XOR,
      numSamples: e - s,
      ref: 0,
    });
  }
  return out;
}
