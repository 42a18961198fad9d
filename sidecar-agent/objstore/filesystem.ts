/**
 * @module sidecar-agent/objstore/filesystem — Bucket over a local directory (Thanos's
 * `type: FILESYSTEM`), for tests, single-node setups and the compactor's scratch space.
 *
 * Keys map to paths below the root. Uploads write a hidden temp file beside the target and
 * rename it into place, so readers never see half an object. Deleting the last object of a
 * directory removes the empty directories above it, so listings don't show dead prefixes.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { compareStrings } from '../../core/labels/labels.ts';
import {
  bytesOrStream,
  dirPrefix,
  isRecursive,
  type Bucket,
  type IterOptions,
  type ObjectAttributes,
  type UploadBody,
} from '../../core/objstore/bucket.ts';
import { BucketError, ObjectNotFoundError } from '../../core/objstore/errors.ts';
import { FileBlob, fileStream } from './file-blob.ts';

/** Temp files are `.<name>.tmp-<hex>`; listings skip them. */
const TEMP_RE = /^\..*\.tmp-[0-9a-f]{12}$/;

function isCode(err: unknown, ...codes: string[]): boolean {
  return (
    typeof err === 'object' && err !== null && codes.includes((err as { code?: string }).code ?? '')
  );
}

/** Whether `blob` is all of its file as the file is now. */
async function wholeFile(blob: FileBlob): Promise<boolean> {
  return blob.start === 0 && (await stat(blob.path)).size === blob.size;
}

export class FilesystemBucket implements Bucket {
  readonly name: string;
  readonly #root: string;

  constructor(directory: string) {
    this.#root = resolve(directory);
    this.name = directory;
  }

  #path(key: string): string {
    const segs = key.split('/');
    if (key === '' || key.startsWith('/') || segs.some((s) => s === '..' || s === '.')) {
      throw new BucketError('key', this.name, key, 'invalid key');
    }
    return join(this.#root, ...segs);
  }

  #wrap(op: string, key: string, err: unknown): never {
    if (isCode(err, 'ENOENT', 'ENOTDIR', 'EISDIR'))
      throw new ObjectNotFoundError(this.name, key, { cause: err });
    if (err instanceof ObjectNotFoundError || err instanceof BucketError) throw err;
    throw new BucketError(op, this.name, key, err instanceof Error ? err.message : String(err), {
      cause: err,
    });
  }

  async get(key: string): Promise<ReadableStream<Uint8Array>> {
    try {
      const fh = await open(this.#path(key), 'r');
      const st = await fh.stat().catch(async (err: unknown) => {
        await fh.close();
        throw err;
      });
      if (!st.isFile()) {
        await fh.close();
        throw new ObjectNotFoundError(this.name, key);
      }
      // The open handle is the object as it was asked for: a later upload renames a new file
      // over the key and leaves this one whole. Read as the caller pulls (Node's stream through
      // Readable.toWeb read the file ahead of a slower reader, held in memory).
      return fileStream(fh, 0, st.size, key);
    } catch (err) {
      return this.#wrap('get', key, err);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0) throw new RangeError(`getRange ${key}: negative offset ${offset}`);
    try {
      const fh = await open(this.#path(key), 'r');
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new ObjectNotFoundError(this.name, key);
        const end = length < 0 ? st.size : Math.min(st.size, offset + length);
        const n = Math.max(0, end - offset);
        const buf = new Uint8Array(n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
          if (bytesRead === 0) break; // truncated under us: return what exists
          got += bytesRead;
        }
        return got === n ? buf : buf.subarray(0, got);
      } finally {
        await fh.close();
      }
    } catch (err) {
      return this.#wrap('get_range', key, err);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.#path(key))).isFile();
    } catch (err) {
      if (isCode(err, 'ENOENT', 'ENOTDIR')) return false;
      return this.#wrap('exists', key, err);
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    try {
      const st = await stat(this.#path(key));
      if (!st.isFile()) throw new ObjectNotFoundError(this.name, key);
      return { size: st.size, lastModified: st.mtime };
    } catch (err) {
      return this.#wrap('attributes', key, err);
    }
  }

  async *iter(dir: string, options?: IterOptions): AsyncIterable<string> {
    const prefix = dirPrefix(dir);
    if (prefix !== '') this.#path(prefix.slice(0, -1)); // validates
    yield* this.#walk(prefix, isRecursive(options));
  }

  async *#walk(prefix: string, recursive: boolean): AsyncGenerator<string> {
    let entries;
    try {
      entries = await readdir(
        prefix === '' ? this.#root : join(this.#root, ...prefix.slice(0, -1).split('/')),
        {
          withFileTypes: true,
        },
      );
    } catch (err) {
      if (isCode(err, 'ENOENT', 'ENOTDIR')) return;
      throw new BucketError(
        'iter',
        this.name,
        prefix,
        err instanceof Error ? err.message : String(err),
        { cause: err },
      );
    }
    // Sort as full keys would sort: a directory "a" lists as "a/", after "a-b" and before "a0".
    const names = entries
      .filter((e) => !TEMP_RE.test(e.name) && (e.isDirectory() || e.isFile()))
      .map((e) => (e.isDirectory() ? e.name + '/' : e.name))
      .sort(compareStrings);
    for (const name of names) {
      if (!name.endsWith('/')) yield prefix + name;
      else if (recursive) yield* this.#walk(prefix + name, true);
      else yield prefix + name;
    }
  }

  async upload(key: string, upload: UploadBody, _size?: number): Promise<void> {
    const target = this.#path(key);
    if (key.endsWith('/')) throw new BucketError('upload', this.name, key, 'key ends in /');
    const tmp = join(
      dirname(target),
      `.${target.slice(dirname(target).length + sep.length)}.tmp-${randomBytes(6).toString('hex')}`,
    );
    try {
      await mkdir(dirname(target), { recursive: true });
      if (upload instanceof FileBlob && (await wholeFile(upload))) {
        // A file uploaded whole (a block's files, from the sidecar or the compactor) is copied
        // by the kernel, a clone where the filesystem can, instead of through this process.
        await copyFile(upload.path, tmp, fsConstants.COPYFILE_FICLONE);
        await rename(tmp, target);
        return;
      }
      // Not before: a Blob's stream starts reading the file when it is made.
      const body = bytesOrStream(upload);
      const fh = await open(tmp, 'w');
      try {
        if (body instanceof Uint8Array) {
          await fh.write(body);
        } else {
          const reader = body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await fh.write(value);
          }
        }
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw new BucketError(
        'upload',
        this.name,
        key,
        err instanceof Error ? err.message : String(err),
        { cause: err },
      );
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (err) {
      if (isCode(err, 'ENOENT', 'ENOTDIR')) return;
      return this.#wrap('delete', key, err);
    }
    // Remove now-empty parents up to (not including) the root; stop at the first non-empty one.
    let dir = dirname(path);
    while (dir.length > this.#root.length && dir.startsWith(this.#root)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }
}
