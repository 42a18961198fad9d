/**
 * @module core/query/aggr-read — reading downsampled data the way Thanos's querier does
 * (pkg/query `aggrsFromFunc` and the chunk series iterator): the function around a selector picks
 * which aggregate the stores send, and the querier turns those aggregate chunks into samples.
 *
 * - `min…`/`max…`/`count…` (min, min_over_time, …): the min, max or count aggregate;
 * - `sum_…` (sum_over_time): the sum aggregate (plain `sum` wants real values: the average);
 * - rate, increase, irate, resets: the counter aggregate with counter resets applied across chunks
 *   (which hides resets from `resets`, as in Thanos);
 * - everything else: sum / count per window, the average.
 * Raw chunks are read as they are whatever the aggregate.
 */
import type { Aggr, AggrChunk, ChunkData } from '../storeapi/store.ts';

/** How a select reads aggregate chunks. */
export type AggrMode = 'count' | 'sum' | 'min' | 'max' | 'counter' | 'average';

const COUNTER_FUNCS = new Set(['rate', 'increase', 'irate', 'resets']);

/** Thanos's aggrsFromFunc: the aggregate(s) a selector under `func` asks the stores for. */
export function aggrModeFor(func: string | undefined): AggrMode {
  const f = func ?? '';
  if (f === 'min' || f.startsWith('min_')) return 'min';
  if (f === 'max' || f.startsWith('max_')) return 'max';
  if (f === 'count' || f.startsWith('count_')) return 'count';
  if (f.startsWith('sum_')) return 'sum';
  if (COUNTER_FUNCS.has(f)) return 'counter';
  return 'average';
}

/** The SeriesRequest.aggregates of a mode. */
export function aggregatesFor(mode: AggrMode): Aggr[] {
  return mode === 'average' ? ['count', 'sum'] : [mode];
}

/**
 * Appends to `out` the chunks to decode for one frame chunk, in order: its raw data, or its
 * aggregate(s) (for the average: count, then sum). False, appending nothing, when the chunk lacks
 * what the mode needs. (Appending spares an array per chunk: a query reads thousands.)
 */
export function chunksToDecode(c: AggrChunk, mode: AggrMode, out: ChunkData[]): boolean {
  if (c.raw) {
    out.push(c.raw);
    return true;
  }
  if (mode === 'average') {
    if (!c.count || !c.sum) return false;
    out.push(c.count, c.sum);
    return true;
  }
  const d = c[mode];
  if (d) out.push(d);
  return d !== undefined;
}
