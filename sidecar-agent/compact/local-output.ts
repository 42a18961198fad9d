/**
 * @module sidecar-agent/compact/local-output — the compactor's output through `--data-dir`, as
 * Thanos does: the block is written to `<data-dir>/compact/<ulid>` (tmp dir renamed when whole),
 * uploaded with meta.json last (sidecar-agent/objstore/upload-block.ts), then removed locally.
 *
 * Unlike Thanos, a chunk segment is uploaded as soon as it is written, while the merge writes the
 * next: segments are cut at about a quarter of the inputs' chunk bytes, so most of a block is in
 * the bucket when its merge ends and publishing sends the last segment, the index and meta.json.
 * Without meta.json the early objects are a partial upload no reader sees; a block that is not
 * published has them deleted again (a crash leaves them to the cleaner's partial-upload rule).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompactionOutput } from '../../core/compact/output.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { DEFAULT_CHUNK_SEGMENT_SIZE } from '../../core/tsdb/writer/chunk-writer.ts';
import type { BlockSink, SinkData } from '../../core/tsdb/writer/sink.ts';
import { FileBlob } from '../objstore/file-blob.ts';
import { deleteBlockObjects, uploadBlock } from '../objstore/upload-block.ts';
import { DirBlockSink, TMP_FOR_CREATION_SUFFIX } from '../tsdb/dir-sink.ts';

export const COMPACT_DIRNAME = 'compact';
/** Smallest chunk segment cut for an early upload (S3's multipart parts start at 5 MiB). */
export const EARLY_SEGMENT_MIN_BYTES = 16 << 20;
/** Segments per block aimed at: the last one and the index are what publishing still sends. */
const EARLY_SEGMENTS = 4;

export interface LocalOutputOptions {
  /** Called after each object is uploaded (metrics, progress). */
  readonly onObject?: (key: string, bytes: number) => void;
  /** Upload chunk segments while the block is written (default true). */
  readonly earlyUpload?: boolean;
  /** Smallest segment cut for early uploads (default EARLY_SEGMENT_MIN_BYTES). */
  readonly minSegmentBytes?: number;
  /** Told when an early upload failed (publishing sends the file again). */
  readonly log?: (msg: string) => void;
}

/**
 * A block directory being written whose chunk segments are uploaded one at a time as each is
 * closed. Uploads read the tmp dir, so `commit` (the rename) waits for the one under way and
 * starts no more; publishing sends whatever is left.
 */
class EarlyUploadSink implements BlockSink {
  readonly ulid: string;
  /** Files in the bucket as they are on disk. */
  readonly uploaded = new Set<string>();
  published = false;
  readonly #dir: DirBlockSink;
  readonly #bucket: Bucket;
  readonly #opts: LocalOutputOptions;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(dir: DirBlockSink, ulid: string, bucket: Bucket, opts: LocalOutputOptions) {
    this.#dir = dir;
    this.ulid = ulid;
    this.#bucket = bucket;
    this.#opts = opts;
  }

  async put(name: string, data: SinkData): Promise<void> {
    await this.#dir.put(name, data);
    if (name.startsWith('chunks/')) this.#chain = this.#chain.then(() => this.#upload(name));
  }

  async #upload(name: string): Promise<void> {
    if (this.#stopped) return;
    const key = `${this.ulid}/${name}`;
    try {
      const blob = await FileBlob.open(join(this.#dir.tmpDir, ...name.split('/')));
      await this.#bucket.upload(key, blob, blob.size);
      this.uploaded.add(name);
      this.#opts.onObject?.(key, blob.size);
    } catch (err) {
      this.#opts.log?.(
        `early upload of ${key} failed, sent again when publishing: ${errorMessage(err)}`,
      );
    }
  }

  /** Waits for the upload under way; none starts afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain;
  }

  async commit(): Promise<void> {
    await this.stop();
    await this.#dir.commit();
  }

  async abort(): Promise<void> {
    await this.stop();
    await this.#dir.abort();
    await this.removeUploads();
  }

  /** Deletes what was uploaded early (best effort: the cleaner takes partial uploads later). */
  async removeUploads(): Promise<void> {
    if (this.uploaded.size === 0) return;
    this.uploaded.clear();
    await deleteBlockObjects(this.#bucket, this.ulid).catch((err: unknown) =>
      this.#opts.log?.(`block ${this.ulid}: delete early uploads: ${errorMessage(err)}`),
    );
  }
}

/** Prepares `<dataDir>/compact` (leftovers of an earlier run removed) and returns the output. */
export async function localOutput(
  bucket: Bucket,
  dataDir: string,
  opts: LocalOutputOptions = {},
): Promise<CompactionOutput> {
  const dir = join(dataDir, COMPACT_DIRNAME);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const early = opts.earlyUpload ?? true;
  const writing = new Map<string, EarlyUploadSink>();
  return {
    sink: (ulid) => {
      // Not fsynced: a block lost to a crash before its upload is simply compacted again.
      const local = new DirBlockSink(dir, ulid, { fsync: false });
      if (!early) return local;
      const sink = new EarlyUploadSink(local, ulid, bucket, opts);
      writing.set(ulid, sink);
      return sink;
    },
    segmentSize: (inputChunkBytes) =>
      early
        ? Math.min(
            DEFAULT_CHUNK_SEGMENT_SIZE,
            Math.max(
              opts.minSegmentBytes ?? EARLY_SEGMENT_MIN_BYTES,
              Math.ceil(inputChunkBytes / EARLY_SEGMENTS),
            ),
          )
        : undefined,
    async publish(meta) {
      const sink = writing.get(meta.ulid);
      const up = await uploadBlock(bucket, join(dir, meta.ulid), {
        labels: meta.thanos?.labels ?? {},
        source: 'compactor',
        ...(sink ? { uploaded: sink.uploaded } : {}),
        ...(opts.onObject ? { onObject: opts.onObject } : {}),
      });
      if (sink) sink.published = true;
      return up.meta;
    },
    async discard(ulid) {
      const sink = writing.get(ulid);
      writing.delete(ulid);
      if (sink) {
        await sink.stop();
        if (!sink.published) await sink.removeUploads();
      }
      await rm(join(dir, ulid), { recursive: true, force: true });
      await rm(join(dir, ulid + TMP_FOR_CREATION_SUFFIX), { recursive: true, force: true });
    },
  };
}
