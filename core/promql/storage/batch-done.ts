/**
 * @module core/promql/storage/batch-done — a queryable can take a batch's memory back once the
 * engine is done with it: the series reader decodes batch after batch into the same buffers
 * instead of fresh ones (a range function over 1,000 series decodes ~25 MB a query). Opt-in on
 * both sides: a batch nobody registered, or one the engine keeps (a range vector held whole), is
 * left to the garbage collector as before.
 */
import type { RawSeries } from './queryable.ts';

const reclaimers = new WeakMap<readonly RawSeries[], () => void>();

/** `reclaim` runs once the engine says it is done with `batch` (and never if it keeps it). */
export function onBatchDone(batch: readonly RawSeries[], reclaim: () => void): void {
  reclaimers.set(batch, reclaim);
}

/**
 * The engine is done with `batch`: nothing of it, columns included, is read or referenced any
 * more (what it made from it was copied out).
 */
export function batchDone(batch: readonly RawSeries[]): void {
  const reclaim = reclaimers.get(batch);
  if (reclaim === undefined) return;
  reclaimers.delete(batch);
  reclaim();
}
