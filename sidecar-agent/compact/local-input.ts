/**
 * @module sidecar-agent/compact/local-input — the compactor's inputs through `--data-dir`, as
 * Thanos does: each input block's files are downloaded (one streamed GET per file) to
 * `<data-dir>/compact/<group key>/<ulid>/`, read from there with positioned reads, and removed
 * when the compaction ends. Memory stays at a stream buffer per file in flight, whatever the
 * blocks' sizes; the disk holds the inputs of one compaction per group.
 *
 * The small files (index, meta.json, tombstones) are downloaded before the merge starts; the
 * chunk segments download while it runs. The merge reads each segment front to back, as the
 * download writes it, so a read waits only for the bytes it needs: downloading and merging
 * overlap instead of adding up.
 */
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { forEachLimit } from '../../core/block/concurrency.ts';
import { LOCAL_READ_BUDGET_BYTES } from '../../core/compact/block-series.ts';
import type { CompactionInput } from '../../core/compact/input.ts';
import { StorageError, errorMessage } from '../../core/errors.ts';
import { compareStrings } from '../../core/labels/labels.ts';
import { listAll, type Bucket } from '../../core/objstore/bucket.ts';
import { isNotFound } from '../../core/objstore/errors.ts';
import type { BlockDir } from '../../core/tsdb/block-reader.ts';
import { META_FILENAME, type BlockMeta } from '../../core/tsdb/meta.ts';
import type { ByteSource } from '../../core/tsdb/source.ts';
import { FileSource } from '../tsdb/file-source.ts';
import { COMPACT_DIRNAME } from './local-output.ts';

/** Small files downloaded at once before the merge (Thanos fetches a block's files in turn). */
export const DOWNLOAD_CONCURRENCY = 4;
const CHUNKS_PREFIX = 'chunks/';
/** Downloaded bytes gathered per file write. */
const WRITE_BYTES = 1 << 20;

/** Files of a block to download: meta.json's `thanos.files`, or a listing when it has none. */
async function blockFiles(bucket: Bucket, meta: BlockMeta): Promise<string[]> {
  const listed = meta.thanos?.files?.map((f) => f.rel_path) ?? [];
  if (listed.length > 0)
    return listed.includes(META_FILENAME) ? listed : [...listed, META_FILENAME];
  const prefix = `${meta.ulid}/`;
  return (await listAll(bucket, meta.ulid, { recursive: true })).map((k) => k.slice(prefix.length));
}

/** `chunks/000001` of `<ulid>/chunks/000001`. */
function segmentOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

/** One file being downloaded: how far it has been written, and reads waiting for more. */
class Download {
  readonly key: string;
  readonly path: string;
  written = 0;
  done = false;
  /** Why the download failed (a NotFoundError when the object does not exist). */
  error: unknown;
  #waiters: { until: number; wake: () => void }[] = [];

  constructor(key: string, path: string) {
    this.key = key;
    this.path = path;
  }

  /** Streams the object to `path`; never rejects (a failure is kept in `error`). */
  async run(bucket: Bucket): Promise<void> {
    let fh: FileHandle | undefined;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const body = await bucket.get(this.key);
      fh = await open(this.path, 'w');
      const file = fh;
      // Socket-sized pieces (~64 KiB) are gathered into larger writes: each write is a trip
      // through libuv's thread pool, and a compaction's inputs made ~600 of them. One buffer per
      // download, reused: a fresh one per write made every downloaded byte land in pages the
      // process had never touched (a page fault each 4 KiB). A read waiting for bytes not yet
      // written has them written at once.
      const gather = new Uint8Array(WRITE_BYTES);
      let gathered = 0;
      const writeAll = async (bytes: Uint8Array, n: number): Promise<void> => {
        let off = 0;
        while (off < n)
          off += (await file.write(bytes, off, n - off, this.written + off)).bytesWritten;
        this.written += n;
        this.#wake();
      };
      const flush = async (): Promise<void> => {
        await writeAll(gather, gathered);
        gathered = 0;
      };
      const reader = body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        let chunk = r.value;
        if (gathered === 0 && chunk.length >= WRITE_BYTES) {
          // Already a large piece (a local bucket reads a MiB at a time): written as it is.
          await writeAll(chunk, chunk.length);
          continue;
        }
        while (chunk.length > 0) {
          const n = Math.min(chunk.length, WRITE_BYTES - gathered);
          gather.set(n === chunk.length ? chunk : chunk.subarray(0, n), gathered);
          gathered += n;
          chunk = chunk.subarray(n);
          if (gathered === WRITE_BYTES) await flush();
        }
        if (gathered > 0 && this.#waiters.length > 0) await flush();
      }
      await flush();
    } catch (err) {
      this.error = isNotFound(err)
        ? err
        : new StorageError(`download ${this.key}: ${errorMessage(err)}`, { cause: err });
    } finally {
      await fh?.close().catch(() => {});
      this.done = true;
      this.#wake();
    }
  }

  #wake(): void {
    const still: { until: number; wake: () => void }[] = [];
    for (const w of this.#waiters) {
      if (this.done || this.written >= w.until) w.wake();
      else still.push(w);
    }
    this.#waiters = still;
  }

  /** Resolves once `until` bytes are written or the download ended. */
  async reach(until: number): Promise<void> {
    if (this.done || this.written >= until) return;
    await new Promise<void>((wake) => this.#waiters.push({ until, wake }));
  }

  /** Throws the download's failure, if any. */
  check(): void {
    if (this.error !== undefined) throw this.error;
  }
}

/** A file still downloading: reads wait for their bytes; sizes come from meta.json. */
class DownloadingSource implements ByteSource {
  readonly name: string;
  readonly #dl: Download;
  readonly #size: number | undefined;
  readonly #file: FileSource;

  constructor(name: string, dl: Download, size: number | undefined) {
    this.name = name;
    this.#dl = dl;
    this.#size = size;
    this.#file = new FileSource(dl.path, name);
  }

  async size(): Promise<number> {
    if (this.#size !== undefined) return this.#size;
    await this.#dl.reach(Infinity);
    this.#dl.check();
    return this.#dl.written;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    await this.#dl.reach(offset + length);
    this.#dl.check();
    return this.#file.read(offset, length);
  }

  recycle(buffer: ArrayBufferLike): void {
    this.#file.recycle(buffer);
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

/** An input block on disk, its chunk segments possibly still arriving. */
class LocalBlockDir implements BlockDir {
  readonly #dir: string;
  readonly #downloads: Map<string, Download>;
  readonly #sizes: Map<string, number>;
  readonly #open: ByteSource[] = [];

  constructor(dir: string, downloads: Map<string, Download>, meta: BlockMeta) {
    this.#dir = dir;
    this.#downloads = downloads;
    this.#sizes = new Map(
      (meta.thanos?.files ?? [])
        .filter((f) => typeof f.size_bytes === 'number')
        .map((f) => [f.rel_path, f.size_bytes!]),
    );
  }

  async open(name: string): Promise<ByteSource> {
    const dl = this.#downloads.get(name);
    const src = dl
      ? new DownloadingSource(name, dl, this.#sizes.get(name))
      : new FileSource(join(this.#dir, ...name.split('/')), name);
    this.#open.push(src);
    return src;
  }

  async close(): Promise<void> {
    await Promise.all(this.#open.map((s) => s.close?.()));
  }
}

export function localInput(bucket: Bucket, dataDir: string): CompactionInput {
  return {
    async open(group, inputs) {
      const root = join(dataDir, COMPACT_DIRNAME, group.key);
      const segments: Download[] = [];
      const dirs: LocalBlockDir[] = [];
      let running: Promise<void> | undefined;
      const release = async (): Promise<void> => {
        await Promise.all(dirs.map((d) => d.close()));
        await running;
        await rm(root, { recursive: true, force: true });
      };
      try {
        await rm(root, { recursive: true, force: true });
        const small: Download[] = [];
        for (const m of inputs) {
          const byName = new Map<string, Download>();
          for (const name of await blockFiles(bucket, m)) {
            const dl = new Download(`${m.ulid}/${name}`, join(root, m.ulid, ...name.split('/')));
            if (name.startsWith(CHUNKS_PREFIX)) {
              byName.set(name, dl);
              segments.push(dl);
            } else small.push(dl);
          }
          dirs.push(new LocalBlockDir(join(root, m.ulid), byName, m));
        }
        await forEachLimit(small, DOWNLOAD_CONCURRENCY, (dl) => dl.run(bucket));
        for (const dl of small) {
          // A missing file leaves none on disk: the reader then reports a corrupt block.
          if (dl.error !== undefined && !isNotFound(dl.error)) throw dl.error;
        }
        // First segments of every input first, as the merge reads them. A download never waits
        // for the merge, so whatever the limit, the reads it waits for always come.
        segments.sort((a, b) => compareStrings(segmentOf(a.key), segmentOf(b.key)));
        running = forEachLimit(segments, Math.max(DOWNLOAD_CONCURRENCY, inputs.length), (dl) =>
          dl.run(bucket),
        );
      } catch (err) {
        await release();
        throw err;
      }
      return { dirs, readBudget: LOCAL_READ_BUDGET_BYTES, release };
    },
  };
}
