/**
 * @module sidecar-agent/objstore/upload-block — uploads one finished TSDB block directory the
 * way Thanos's shipper does (pkg/block.Upload):
 *
 * 1. reads the local meta.json and adds the `thanos` section: external labels, source,
 *    `segment_files`, and `files` (chunks/* and index with sizes, meta.json without — as
 *    Thanos's GatherFileStats, sorted by path);
 * 2. uploads `chunks/*`, then `index`;
 * 3. uploads `meta.json` LAST: a block without meta.json is a partial upload to every reader.
 *
 * If chunks or index fail, the objects already written are deleted again (Thanos's cleanUp).
 * Files go to the bucket as file-backed Blobs: read part by part at their offsets while they
 * are sent (as minio's client reads a file), never held whole or a whole part at a time, so
 * memory stays flat whatever the block's size and the bucket's part size.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FileBlob } from './file-blob.ts';
import { BadDataError, StorageError, errorMessage } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { listAll } from '../../core/objstore/bucket.ts';
import { compareStrings } from '../../core/labels/labels.ts';
import {
  META_FILENAME,
  RES_LEVEL0,
  isUlid,
  parseMeta,
  serializeMeta,
  type BlockMeta,
  type SourceType,
  type ThanosFile,
} from '../../core/tsdb/meta.ts';

export const CHUNKS_DIRNAME = 'chunks';
export const INDEX_FILENAME = 'index';

export interface UploadBlockOptions {
  /** External labels; Thanos refuses blocks without any. */
  readonly labels: Record<string, string>;
  /** `thanos.source` (Thanos `tools bucket upload-blocks` writes `bucket.upload`, the sidecar `sidecar`). */
  readonly source: SourceType;
  /** Called after each object is written (progress output). */
  readonly onObject?: (key: string, bytes: number) => void;
  /**
   * Files (`chunks/000001`, …) already in the bucket as they are on disk, uploaded while the block
   * was written (sidecar-agent/compact/local-output.ts): not sent again.
   */
  readonly uploaded?: ReadonlySet<string>;
  /** Files (chunk segments, index) uploaded at once (Thanos `--shipper.upload-concurrency`; default 1). */
  readonly concurrency?: number;
}

export interface UploadedBlock {
  readonly ulid: string;
  /** The meta.json as written to the bucket. */
  readonly meta: BlockMeta;
  /** Bytes uploaded, meta.json included. */
  readonly bytes: number;
}

/** The local files of a block that are uploaded, and the `thanos.files` entries for them. */
export async function gatherFileStats(blockDir: string): Promise<ThanosFile[]> {
  const files: ThanosFile[] = [];
  let chunkNames: string[];
  try {
    chunkNames = await readdir(join(blockDir, CHUNKS_DIRNAME));
  } catch (err) {
    throw new BadDataError(`block ${blockDir}: read chunks dir: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  for (const name of chunkNames.sort(compareStrings)) {
    const st = await stat(join(blockDir, CHUNKS_DIRNAME, name));
    if (st.isFile()) files.push({ rel_path: `${CHUNKS_DIRNAME}/${name}`, size_bytes: st.size });
  }
  const index = await stat(join(blockDir, INDEX_FILENAME)).catch((err: unknown) => {
    throw new BadDataError(`block ${blockDir}: stat index: ${errorMessage(err)}`, { cause: err });
  });
  files.push({ rel_path: INDEX_FILENAME, size_bytes: index.size });
  // Thanos lists meta.json without a size: the uploaded one differs from the local file.
  files.push({ rel_path: META_FILENAME });
  return files.sort((a, b) => compareStrings(a.rel_path, b.rel_path));
}

/** Reads `<dir>/meta.json`; the directory name must be the block's ULID. */
export async function readLocalMeta(blockDir: string): Promise<BlockMeta> {
  const id = basename(blockDir);
  if (!isUlid(id)) throw new BadDataError(`${blockDir}: not a block dir (name is not a ULID)`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(blockDir, META_FILENAME)));
  } catch (err) {
    throw new BadDataError(`${blockDir}: read meta: ${errorMessage(err)}`, { cause: err });
  }
  return parseMeta(bytes, id);
}

export async function uploadBlock(
  bucket: Bucket,
  blockDir: string,
  options: UploadBlockOptions,
): Promise<UploadedBlock> {
  if (Object.keys(options.labels).length === 0) {
    throw new BadDataError('empty external labels are not allowed for Thanos block');
  }
  const local = await readLocalMeta(blockDir);
  const id = local.ulid;
  const files = await gatherFileStats(blockDir);
  const meta: BlockMeta = {
    ...local,
    thanos: {
      ...local.thanos,
      labels: { ...options.labels },
      downsample: { resolution: local.thanos?.downsample.resolution ?? RES_LEVEL0 },
      source: options.source,
      segment_files: files
        .filter((f) => f.rel_path.startsWith(`${CHUNKS_DIRNAME}/`))
        .map((f) => f.rel_path.slice(CHUNKS_DIRNAME.length + 1)),
      files,
    },
  };

  let bytes = 0;
  const queue = files.filter(
    (f) => f.rel_path !== META_FILENAME && !options.uploaded?.has(f.rel_path),
  );
  const one = async (f: ThanosFile): Promise<void> => {
    const key = `${id}/${f.rel_path}`;
    const blob = await FileBlob.open(join(blockDir, ...f.rel_path.split('/')));
    await bucket.upload(key, blob, f.size_bytes);
    bytes += f.size_bytes ?? 0;
    options.onObject?.(key, f.size_bytes ?? 0);
  };
  try {
    // `concurrency` workers take files in order; the first failure stops them taking more.
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < queue.length) {
        const f = queue[next++]!;
        try {
          await one(f);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    const n = Math.max(1, Math.min(options.concurrency ?? 1, queue.length));
    const results = await Promise.allSettled(Array.from({ length: n }, worker));
    const rejected = results.find((r) => r.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
  } catch (err) {
    await deleteBlockObjects(bucket, id).catch(() => undefined);
    throw new StorageError(`upload block ${id}: ${errorMessage(err)}`, { cause: err });
  }

  // Last: from here on, readers see the block.
  const metaBytes = new TextEncoder().encode(serializeMeta(meta));
  await bucket.upload(`${id}/${META_FILENAME}`, metaBytes);
  bytes += metaBytes.byteLength;
  options.onObject?.(`${id}/${META_FILENAME}`, metaBytes.byteLength);
  return { ulid: id, meta, bytes };
}

/** Removes every object under `<id>/`, meta.json first (so the block disappears before its data). */
export async function deleteBlockObjects(bucket: Bucket, id: string): Promise<void> {
  await bucket.delete(`${id}/${META_FILENAME}`);
  for (const key of await listAll(bucket, id, { recursive: true })) await bucket.delete(key);
}
