/**
 * @module core/tsdb/writer/chunk-cutter — decides where a series' chunks end, exactly as
 * Prometheus 2.42's head does (tsdb/head_append.go appendPreprocessor): aim for 120 samples per
 * chunk; once a chunk holds 30 samples, predict its end time so the rest of the chunk range is
 * split into equal chunks; never cross a chunk-range boundary; cut at 240 samples regardless.
 * Blocks written here therefore have the same chunks (and bytes) as Prometheus's for the same
 * samples, which is what makes `promtool` outputs comparable.
 */
import { goDiv } from '../../gocompat/math.ts';

/** Target samples per chunk (samplesPerChunk). */
export const SAMPLES_PER_CHUNK = 120;

/** End of the chunk range containing t (rangeForTimestamp: (t/width)*width + width, Go division). */
export function rangeForTimestamp(t: number, width: number): number {
  return goDiv(t, width) * width + width;
}

/** Predicted end of a chunk that is 1/4 full (computeChunkEndTime). */
export function computeChunkEndTime(start: number, cur: number, max: number): number {
  const n = goDiv(max - start, (cur - start + 1) * 4);
  if (n <= 1) return max;
  return start + goDiv(max - start, n);
}

/** Per-series cutting state; feed it every in-order sample timestamp. */
export class ChunkCutter {
  readonly #chunkRange: number;
  #open = false;
  #minTime = 0;
  #maxTime = 0;
  #num = 0;
  #nextAt = 0;

  constructor(chunkRange: number) {
    if (!(chunkRange > 0)) throw new RangeError(`chunk range must be positive, got ${chunkRange}`);
    this.#chunkRange = chunkRange;
  }

  /**
   * Call before appending a sample at t (> the previous one). Returns true when t starts a new
   * chunk, including the first sample of the series.
   */
  startsChunk(t: number): boolean {
    if (!this.#open) {
      this.#start(t);
      return true;
    }
    if (this.#num === SAMPLES_PER_CHUNK / 4) {
      this.#nextAt = computeChunkEndTime(this.#minTime, this.#maxTime, this.#nextAt);
    }
    if (t >= this.#nextAt || this.#num >= SAMPLES_PER_CHUNK * 2) {
      this.#start(t);
      return true;
    }
    return false;
  }

  /** Records that the sample at t was appended to the current chunk. */
  appended(t: number): void {
    this.#maxTime = t;
    this.#num++;
  }

  #start(t: number): void {
    this.#open = true;
    this.#minTime = t;
    this.#maxTime = -Infinity;
    this.#num = 0;
    this.#nextAt = rangeForTimestamp(t, this.#chunkRange);
  }
}
