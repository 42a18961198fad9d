/**
 * @module core/storeapi/stats — what answering one Series request cost a store: blocks queried,
 * series and chunks merged, and for each kind of read (postings, series entries, chunks) how many
 * reads it took and how many of them an object-store request answered rather than a cache. It
 * travels as Thanos's SeriesResponseHints frame and sums up the store tree into `stats=all`.
 */

import type { ReadStats } from '../tsdb/source.ts';

export type { ReadStats };

export interface StoreStats {
  blocksQueried: number;
  mergedSeries: number;
  mergedChunks: number;
  readonly postings: ReadStats;
  readonly series: ReadStats;
  readonly chunks: ReadStats;
  /** Other object-store requests: sizes, meta.json, index headers. */
  readonly other: ReadStats;
}

export function newReadStats(): ReadStats {
  return { reads: 0, bytes: 0, requests: 0, requestBytes: 0 };
}

export function newStoreStats(): StoreStats {
  return {
    blocksQueried: 0,
    mergedSeries: 0,
    mergedChunks: 0,
    postings: newReadStats(),
    series: newReadStats(),
    chunks: newReadStats(),
    other: newReadStats(),
  };
}

function addRead(into: ReadStats, from: ReadStats): void {
  into.reads += from.reads;
  into.bytes += from.bytes;
  into.requests += from.requests;
  into.requestBytes += from.requestBytes;
}

export function addStoreStats(into: StoreStats, from: StoreStats): void {
  into.blocksQueried += from.blocksQueried;
  into.mergedSeries += from.mergedSeries;
  into.mergedChunks += from.mergedChunks;
  addRead(into.postings, from.postings);
  addRead(into.series, from.series);
  addRead(into.chunks, from.chunks);
  addRead(into.other, from.other);
}

/** Object-store requests of every kind. */
export function objstoreRequests(s: StoreStats): number {
  return s.postings.requests + s.series.requests + s.chunks.requests + s.other.requests;
}

/** Bytes object storage returned, of every kind. */
export function bytesDownloaded(s: StoreStats): number {
  return (
    s.postings.requestBytes + s.series.requestBytes + s.chunks.requestBytes + s.other.requestBytes
  );
}

/** Reads a range cache answered, of every kind. */
export function cacheHits(s: StoreStats): number {
  let n = 0;
  for (const r of [s.postings, s.series, s.chunks, s.other]) n += r.reads - r.requests;
  return n;
}
