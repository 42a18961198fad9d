/**
 * @module core/query/series-reader — reads a StoreAPI frame stream into raw series for the
 * engine: chunks decoded in batches, clipped to the asked range, and overlapping chunks (the same
 * series from several stores or blocks) merged with duplicate timestamps dropped.
 */
import { CorruptBlockError, LimitExceededError, TooManySamplesError } from '../errors.ts';
import type { Labels } from '../labels/labels.ts';
import type { RawSeries } from '../promql/queryable.ts';
import type { AggrChunk, SeriesFrame } from '../storeapi/store.ts';
import type { BatchDecoder } from './decoder.ts';

export interface ReadOptions {
  readonly mint: number;
  readonly maxt: number;
  readonly decoder: BatchDecoder;
  /** Stop with TooManySamplesError past this many samples (0 = no limit). */
  readonly maxSamples?: number;
  /** Stop with LimitExceededError past this many series (0 = no limit). */
  readonly maxSeries?: number;
  /** Chunks decoded per decoder call. */
  readonly batchChunks?: number;
}

export interface ReadResult {
  readonly series: RawSeries[];
  readonly warnings: string[];
}

interface Pending {
  readonly labels: Labels;
  readonly chunks: readonly AggrChunk[];
}

export async function readSeries(
  frames: AsyncIterable<SeriesFrame>,
  opts: ReadOptions,
): Promise<ReadResult> {
  const batchChunks = opts.batchChunks ?? 2048;
  const series: RawSeries[] = [];
  const warnings: string[] = [];
  let batch: Pending[] = [];
  let batchSize = 0;
  let samples = 0;
  const flush = (): void => {
    if (batch.length === 0) return;
    for (const s of decodeBatch(batch, opts)) {
      samples += s.t.length;
      if (opts.maxSamples && samples > opts.maxSamples)
        throw new TooManySamplesError('query execution');
      series.push(s);
    }
    batch = [];
    batchSize = 0;
  };
  for await (const f of frames) {
    if (f.type === 'warning') {
      warnings.push(f.warning);
      continue;
    }
    if (opts.maxSeries && series.length + batch.length >= opts.maxSeries) {
      throw new LimitExceededError(
        `exceeded series limit: the query selects more than ${opts.maxSeries} series`,
      );
    }
    batch.push({ labels: f.labels, chunks: f.chunks });
    batchSize += f.chunks.length;
    if (batchSize >= batchChunks) flush();
  }
  flush();
  return { series, warnings };
}

function decodeBatch(batch: readonly Pending[], opts: ReadOptions): RawSeries[] {
  const chunks: Uint8Array[] = [];
  for (const p of batch) {
    for (const c of p.chunks) {
      if (!c.raw)
        throw new CorruptBlockError(
          'series chunk has no raw data (downsampled data needs aggregate decoding)',
          {},
        );
      if (c.raw.encoding !== 'XOR')
        throw new CorruptBlockError(`unsupported chunk encoding ${c.raw.encoding}`, {});
      chunks.push(c.raw.data);
    }
  }
  const d = opts.decoder.decode(chunks, opts.mint, opts.maxt);
  const out: RawSeries[] = [];
  let ci = 0;
  for (const p of batch) {
    const first = ci;
    ci += p.chunks.length;
    const from = d.offsets[first]!;
    const to = d.offsets[ci]!;
    out.push(mergeRuns(p.labels, d.t, d.v, d.offsets, first, ci, from, to));
  }
  return out;
}

/** Copies the series' samples out of the batch; when chunk runs overlap, merges them by time. */
function mergeRuns(
  labels: Labels,
  t: Float64Array,
  v: Float64Array,
  offsets: Uint32Array,
  firstChunk: number,
  endChunk: number,
  from: number,
  to: number,
): RawSeries {
  let sorted = true;
  for (let i = from + 1; i < to; i++) {
    if (t[i]! <= t[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return { labels, t: t.slice(from, to), v: v.slice(from, to) };
  // Overlap: k-way merge of the chunk runs, first run wins on equal timestamps.
  const runs: Array<{ at: number; end: number }> = [];
  for (let c = firstChunk; c < endChunk; c++) {
    if (offsets[c + 1]! > offsets[c]!) runs.push({ at: offsets[c]!, end: offsets[c + 1]! });
  }
  const outT = new Float64Array(to - from);
  const outV = new Float64Array(to - from);
  let n = 0;
  for (;;) {
    let best = -1;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      if (run.at < run.end && (best < 0 || t[run.at]! < t[runs[best]!.at]!)) best = r;
    }
    if (best < 0) break;
    const run = runs[best]!;
    const ts = t[run.at]!;
    if (n === 0 || ts > outT[n - 1]!) {
      outT[n] = ts;
      outV[n] = v[run.at]!;
      n++;
    }
    run.at++;
  }
  return { labels, t: outT.slice(0, n), v: outV.slice(0, n) };
}
