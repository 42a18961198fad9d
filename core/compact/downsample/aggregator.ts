/**
 * @module core/compact/downsample/aggregator — the windowing at the heart of Thanos's downsampling
 * (pkg/compact/downsample: `aggregator`, `downsampleBatch`, `currentWindow`, `targetChunkCount`):
 * samples are cut into windows aligned to the resolution, each window reported at its last
 * millisecond (capped at the batch's last sample) with count, sum, min, max and the counter state.
 */
import { isStaleNaN } from '../../chunkenc/stale.ts';

/** Thanos assumes raw data scraped every minute when sizing downsampled chunks. */
export const ASSUMED_RAW_INTERVAL = 60 * 1000;
/** Chunks are cut so each holds fewer than this many windows on average (targetChunkCount). */
export const TARGET_WINDOWS_PER_CHUNK = 140;

/** The end (last ms) of the window of `r` ms that `t` falls into. */
export function currentWindow(t: number, r: number): number {
  return t - (t % r) + r - 1;
}

/** Running statistics of one window; `counter` and `last` carry over windows of a batch. */
export class Aggregator {
  /** Samples seen since the batch began. */
  total = 0;
  count = 0;
  sum = 0;
  min = Number.MAX_VALUE;
  max = -Number.MAX_VALUE;
  /** Counter value with resets folded in, since the batch began. */
  counter = 0;
  last = 0;

  /** Starts a new window. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.MAX_VALUE;
    this.max = -Number.MAX_VALUE;
  }

  add(v: number): void {
    if (this.total > 0) {
      // A drop is a counter reset: the new value is what was counted since.
      this.counter += v < this.last ? v : v - this.last;
    } else {
      this.counter = v;
    }
    this.last = v;
    this.sum += v;
    this.count++;
    this.total++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

/**
 * Aggregates samples [from, to) window by window, calling `add(windowEnd, aggregator)` at the end
 * of each; stale markers are skipped. Returns the timestamp of the last window (0 if none). The
 * last window's timestamp is capped at the last sample's, so batches never overlap in time.
 */
export function downsampleWindows(
  t: Float64Array,
  v: Float64Array,
  from: number,
  to: number,
  resolution: number,
  add: (t: number, a: Aggregator) => void,
): number {
  const a = new Aggregator();
  const lastT = t[to - 1]!;
  let nextT = -1;
  for (let i = from; i < to; i++) {
    if (isStaleNaN(v, i)) continue;
    const ts = t[i]!;
    if (ts > nextT) {
      if (nextT !== -1) add(nextT, a);
      a.reset();
      nextT = Math.min(currentWindow(ts, resolution), lastT);
    }
    a.add(v[i]!);
  }
  add(nextT, a);
  return nextT;
}

/**
 * How many chunks a downsampled series gets: the windows the range could hold, scaled by how
 * densely the input fills it, at fewer than TARGET_WINDOWS_PER_CHUNK windows per chunk.
 */
export function targetChunkCount(
  mint: number,
  maxt: number,
  inRes: number,
  outRes: number,
  count: number,
): number {
  const maxWindows = Math.trunc((maxt - mint) / outRes);
  const fullness = Math.min(1, count / ((maxt - mint) / inRes));
  const expected = Math.trunc(maxWindows * fullness) + 1;
  let x = 1;
  while (Math.trunc(expected / x) > TARGET_WINDOWS_PER_CHUNK) x++;
  return x;
}
