/** @module sidecar-agent/tsdb/file-source — a ByteSource over a local file, read with positioned reads. */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, StorageError } from '../../core/errors.ts';
import type { ByteSource } from '../../core/tsdb/source.ts';

/**
 * Buffers readers gave back (FileSource.recycle), for the next reads of any file. A fresh buffer
 * is filled in pages the process never touched (a fault and a zeroed page per 4 KiB): a
 * compaction's chunk reads into fresh buffers cost 2–3x reading into used ones.
 */
const idle: ArrayBuffer[] = [];
let idleBytes = 0;
/** Bytes kept for reuse: a compaction holds ~1 MiB of reads at a time (LOCAL_READ_BUDGET_BYTES). */
const IDLE_MAX_BYTES = 4 << 20;
/** Smaller reads are not worth a pooled buffer. */
const POOLED_MIN_BYTES = 32 << 10;
/**
 * A read takes an idle buffer at most this many times its length: a small read kept in a cache
 * must not hold a large buffer (caches count the bytes of the view, not of its buffer).
 */
const POOLED_MAX_WASTE = 2;

/** A view of `length` bytes: the smallest idle buffer that suits it, or a new one. */
function takeBuffer(length: number): Uint8Array {
  let best = -1;
  if (length >= POOLED_MIN_BYTES) {
    for (let i = 0; i < idle.length; i++) {
      const n = idle[i]!.byteLength;
      if (n >= length && n <= POOLED_MAX_WASTE * length && (best < 0 || n < idle[best]!.byteLength))
        best = i;
    }
  }
  if (best < 0) return new Uint8Array(length);
  const buffer = idle[best]!;
  idle[best] = idle[idle.length - 1]!;
  idle.pop();
  idleBytes -= buffer.byteLength;
  return new Uint8Array(buffer, 0, length);
}

function giveBack(buffer: ArrayBufferLike): void {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < POOLED_MIN_BYTES) return;
  if (buffer.byteLength > IDLE_MAX_BYTES) return;
  // The oldest make room: the reads to come are most like the latest.
  while (idleBytes + buffer.byteLength > IDLE_MAX_BYTES) idleBytes -= idle.shift()!.byteLength;
  idle.push(buffer);
  idleBytes += buffer.byteLength;
}

/**
 * Reads ranges of a file with `pread`. The handle opens lazily on the first read and closes with
 * `close()`; the size is read once (blocks are immutable).
 */
export class FileSource implements ByteSource {
  readonly name: string;
  readonly path: string;
  #fh: Promise<FileHandle> | undefined;
  #size: number | undefined;

  /** `name` is how errors refer to the file (e.g. `index`); defaults to the path. */
  constructor(path: string, name = path) {
    this.path = path;
    this.name = name;
  }

  #handle(): Promise<FileHandle> {
    this.#fh ??= open(this.path, 'r').catch((err: NodeJS.ErrnoException) => {
      this.#fh = undefined;
      throw wrap(err, this.path);
    });
    return this.#fh;
  }

  async size(): Promise<number> {
    if (this.#size === undefined) {
      try {
        this.#size = (await stat(this.path)).size;
      } catch (err) {
        throw wrap(err as NodeJS.ErrnoException, this.path);
      }
    }
    return this.#size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const fh = await this.#handle();
    const buf = takeBuffer(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done !== length)
      throw new RangeError(`${this.path}: read [${offset}, +${length}) past end of file`);
    return buf;
  }

  recycle(buffer: ArrayBufferLike): void {
    giveBack(buffer);
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    if (fh) await (await fh).close();
  }
}

function wrap(err: NodeJS.ErrnoException, path: string): Error {
  if (err.code === 'ENOENT') return new NotFoundError(`${path}: no such file`, { cause: err });
  return new StorageError(`${path}: ${err.message}`, { cause: err });
}

/** A block directory on disk as the block reader's accessor: `open('index')`, `open('chunks/000001')`. */
export class FileBlockDir {
  readonly dir: string;
  readonly #open = new Map<string, FileSource>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async open(name: string): Promise<FileSource> {
    let s = this.#open.get(name);
    if (!s) {
      s = new FileSource(join(this.dir, name), name);
      this.#open.set(name, s);
    }
    return s;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.values()].map((s) => s.close()));
    this.#open.clear();
  }
}
