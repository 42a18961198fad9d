/**
 * @module core/tsdb/source — `ByteSource`, the one way block readers touch bytes: range reads.
 * A local file, a bucket object and an in-memory buffer all implement it, so the index and
 * chunk readers never load a whole file (the store gateway reads blocks in object storage).
 */
import { CorruptBlockError } from '../errors.ts';

/**
 * What the reads of one request cost, by kind (postings, series entries, chunks, the rest); the
 * store gateway reports it per query. A source counts each read, and those it had to fetch from
 * object storage rather than a cache.
 */
export interface ReadStats {
  /** Reads asked for (each one coalesced range). */
  reads: number;
  /** Bytes those reads returned. */
  bytes: number;
  /** Reads that went to object storage (the rest hit a cache or memory). */
  requests: number;
  /** Bytes object storage returned. */
  requestBytes: number;
}

export interface ByteSource {
  /** Name for error messages, e.g. the file's path inside the block (`index`, `chunks/000001`). */
  readonly name: string;
  size(): Promise<number>;
  /**
   * Reads exactly `length` bytes at `offset`. Implementations reject a range past the end;
   * callers validate ranges against `size()` first so corrupt offsets become CorruptBlockError.
   * The bytes are never written afterwards (a fresh buffer, or a view of immutable memory such as
   * a kept range): a reader may remember what it checked in them (chunk-reader.ts). Only a buffer
   * given back with `recycle` may be read into again.
   */
  read(offset: number, length: number, stats?: ReadStats): Promise<Uint8Array>;
  /**
   * Optional: whoever read into `buffer` (the ArrayBuffer under a read's bytes) is done with
   * them and keeps no view of them: the source may read into it again (fresh memory costs far
   * more to fill than memory already touched).
   */
  recycle?(buffer: ArrayBufferLike): void;
  /** Optional: releases resources (e.g. a file handle); a later read may reacquire them. */
  close?(): Promise<void>;
}

/** A ByteSource over bytes in memory (tests, small objects, cached files). */
export class MemorySource implements ByteSource {
  readonly name: string;
  readonly #bytes: Uint8Array;

  constructor(name: string, bytes: Uint8Array) {
    this.name = name;
    this.#bytes = bytes;
  }

  async size(): Promise<number> {
    return this.#bytes.length;
  }

  async read(offset: number, length: number, stats?: ReadStats): Promise<Uint8Array> {
    if (stats) {
      stats.reads++;
      stats.bytes += length;
    }
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.#bytes.length
    ) {
      throw new RangeError(
        `${this.name}: read [${offset}, +${length}) outside 0..${this.#bytes.length}`,
      );
    }
    return this.#bytes.subarray(offset, offset + length);
  }
}

/**
 * Reads `[offset, offset+length)` after checking it lies within `size`; a range outside the
 * file is a corrupt reference, reported with the block, file and offset.
 */
export async function readChecked(
  src: ByteSource,
  size: number,
  offset: number,
  length: number,
  block: string | undefined,
  what: string,
  stats?: ReadStats,
): Promise<Uint8Array> {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new CorruptBlockError(
      `${what}: range [${offset}, ${offset + length}) outside file of ${size} bytes`,
      {
        block,
        file: src.name,
        offset,
      },
    );
  }
  const b = await src.read(offset, length, stats);
  if (b.length !== length) {
    throw new CorruptBlockError(`${what}: short read, ${b.length} of ${length} bytes`, {
      block,
      file: src.name,
      offset,
    });
  }
  return b;
}
