/**
 * @module core/query/decoder — turns many encoded chunks into samples in one call. The WASM codec
 * (core/chunkenc/wasm.ts) implements it; `tsBatchDecoder` is the plain TypeScript fallback used
 * where no WASM module is loaded.
 */
import { decodeXor, xorSampleCount } from '../chunkenc/xor.ts';

export interface DecodedChunks {
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Samples of chunk i are [offsets[i], offsets[i + 1]). */
  readonly offsets: Uint32Array;
  readonly count: number;
}

export interface BatchDecoder {
  /** Decodes XOR chunks, keeping samples with mint <= t <= maxt. Throws CorruptBlockError on a bad chunk. */
  decode(chunks: readonly Uint8Array[], mint: number, maxt: number): DecodedChunks;
  /**
   * Compacts to the front of `t`, `v` (a series of the last decode, in place) the samples a
   * vector selector picks at `instants` (series-reader.ts, pickSamples) and returns how many;
   * `undefined` when these columns are not the decoder's to pick from.
   */
  pickInPlace?(t: Float64Array, v: Float64Array, instants: Float64Array): number | undefined;
}

export const tsBatchDecoder: BatchDecoder = {
  decode(chunks, mint, maxt) {
    let total = 0;
    for (const c of chunks) total += xorSampleCount(c);
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    const offsets = new Uint32Array(chunks.length + 1);
    let at = 0;
    for (let i = 0; i < chunks.length; i++) {
      offsets[i] = at;
      at += decodeXor(chunks[i]!, mint, maxt, t, v, at);
    }
    offsets[chunks.length] = at;
    return { t, v, offsets, count: at };
  },
};
