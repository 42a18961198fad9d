/**
 * @module core/storeapi/chunk-samples — how many samples a frame's chunk carries, read from chunk
 * headers without decoding: its raw data's, else its first aggregate's (one sample per window).
 * Limits and batch sizes count with it.
 */
import { xorSampleCount } from '../chunkenc/xor.ts';
import type { AggrChunk } from './store.ts';

export function chunkSamples(c: AggrChunk): number {
  const d = c.raw ?? c.count ?? c.sum ?? c.min ?? c.max ?? c.counter;
  return d ? xorSampleCount(d.data) : 0;
}
