/**
 * @module core/chunkenc/aggr — Thanos's aggregate chunk (pkg/compact/downsample, `AggrChunk`),
 * the chunk a downsampled block stores: encoding byte 0xff in the segment, and as data the five
 * aggregates count, sum, min, max, counter in that order, each an XOR chunk written as
 * `len <uvarint> | encoding <1b> | bytes`, an absent aggregate as a lone zero length.
 */
import { CorruptBlockError } from '../errors.ts';
import { Encbuf } from '../tsdb/encoding.ts';
import { ENCODING_XOR, xorSampleCount } from './xor.ts';

/** Chunk encoding byte of an aggregate chunk (downsample.ChunkEncAggr). */
export const ENCODING_AGGR = 0xff;

/** Aggregate types in their order inside the chunk (downsample.AggrType). */
export const AGGR_COUNT = 0;
export const AGGR_SUM = 1;
export const AGGR_MIN = 2;
export const AGGR_MAX = 3;
export const AGGR_COUNTER = 4;
export const AGGR_TYPES = 5;

export type AggrType =
  typeof AGGR_COUNT | typeof AGGR_SUM | typeof AGGR_MIN | typeof AGGR_MAX | typeof AGGR_COUNTER;

/** The aggregates of one chunk, indexed by AggrType: XOR chunk bytes, or undefined if absent. */
export type AggrParts = readonly (Uint8Array | undefined)[];

/** Encodes the five aggregates (XOR chunks, undefined = absent) into aggregate chunk data. */
export function encodeAggrChunk(parts: AggrParts): Uint8Array {
  if (parts.length !== AGGR_TYPES) {
    throw new RangeError(`aggregate chunk: ${parts.length} parts, want ${AGGR_TYPES}`);
  }
  let size = 0;
  for (const p of parts) size += 11 + (p?.length ?? 0);
  const e = new Encbuf(size);
  for (const p of parts) {
    if (!p) {
      e.putUvarint(0);
      continue;
    }
    e.putUvarint(p.length);
    e.putByte(ENCODING_XOR);
    e.putBytes(p);
  }
  return e.get().slice();
}

/**
 * Where each aggregate's XOR bytes lie in aggregate chunk data: `layout[2i]` and `layout[2i+1]`
 * are the start and end of aggregate i (both 0 when absent). Scans the lengths in place, making no
 * view, so a reader that wants one aggregate of thousands of chunks pays for one view per chunk.
 * Throws CorruptBlockError on a truncated chunk or an aggregate that is not XOR.
 */
export function aggrChunkLayout(data: Uint8Array, layout: Int32Array): void {
  let p = 0;
  for (let i = 0; i < AGGR_TYPES; i++) {
    // A uvarint length; a chunk is far below 2^28 bytes, so four bytes of it are plenty.
    let len = 0;
    let shift = 0;
    for (;;) {
      if (p >= data.length) throw truncated(i, p);
      const c = data[p++]!;
      len += (c & 127) * 2 ** shift;
      if (c < 128) break;
      shift += 7;
      if (shift > 21)
        throw new CorruptBlockError(
          `aggregate chunk: aggregate ${i} length too large at byte ${p}`,
          {},
        );
    }
    if (len === 0) {
      layout[2 * i] = 0;
      layout[2 * i + 1] = 0;
      continue;
    }
    if (p + 1 + len > data.length) throw truncated(i, p);
    if (data[p] !== ENCODING_XOR) {
      throw new CorruptBlockError(`aggregate chunk: aggregate ${i} has encoding ${data[p]}`, {});
    }
    layout[2 * i] = p + 1;
    layout[2 * i + 1] = p + 1 + len;
    p += 1 + len;
  }
}

function truncated(i: number, at: number): CorruptBlockError {
  return new CorruptBlockError(`aggregate chunk: aggregate ${i} truncated at byte ${at}`, {});
}

/**
 * Splits aggregate chunk data into its aggregates (views into `data`). Throws CorruptBlockError
 * on a truncated chunk or an aggregate that is not XOR.
 */
export function decodeAggrChunk(data: Uint8Array): (Uint8Array | undefined)[] {
  const layout = new Int32Array(2 * AGGR_TYPES);
  aggrChunkLayout(data, layout);
  const out: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < AGGR_TYPES; i++) {
    const end = layout[2 * i + 1]!;
    out.push(end === 0 ? undefined : data.subarray(layout[2 * i]!, end));
  }
  return out;
}

/** Samples of an aggregate chunk: those of its count aggregate (AggrChunk.NumSamples). */
export function aggrSampleCount(data: Uint8Array): number {
  const count = decodeAggrChunk(data)[AGGR_COUNT];
  return count ? xorSampleCount(count) : 0;
}
