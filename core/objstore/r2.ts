/**
 * @module core/objstore/r2 — Bucket over a Cloudflare R2 binding.
 *
 * The binding is typed structurally (`R2BucketLike`, the subset of the Workers `R2Bucket` we
 * call) so core needs no Worker globals and tests can pass Miniflare's `getR2Bucket()` proxy.
 */
import {
  bytesOrStream,
  dirPrefix,
  isRecursive,
  DIR_DELIM,
  type Bucket,
  type IterOptions,
  type ObjectAttributes,
  type UploadBody,
} from './bucket.ts';
import { BucketError, ObjectNotFoundError } from './errors.ts';
import {
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  MIN_PART_SIZE,
  uploadStream,
} from './parts.ts';
import { compareStrings } from '../labels/labels.ts';

export interface R2ObjectLike {
  readonly key: string;
  readonly size: number;
  readonly uploaded: Date;
}

export interface R2ObjectBodyLike extends R2ObjectLike {
  readonly body: ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface R2UploadedPartLike {
  partNumber: number;
  etag: string;
}

export interface R2MultipartUploadLike {
  readonly uploadId: string;
  uploadPart(partNumber: number, value: Uint8Array): Promise<R2UploadedPartLike>;
  abort(): Promise<void>;
  complete(parts: R2UploadedPartLike[]): Promise<R2ObjectLike>;
}

export interface R2ListResultLike {
  readonly objects: readonly R2ObjectLike[];
  readonly delimitedPrefixes: readonly string[];
  readonly truncated: boolean;
  readonly cursor?: string;
}

/** The part of the Workers `R2Bucket` binding this module uses. */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(
    key: string,
    options?: { range?: { offset: number; length?: number } },
  ): Promise<R2ObjectBodyLike | null>;
  put(key: string, value: Uint8Array): Promise<R2ObjectLike | null>;
  delete(keys: string): Promise<void>;
  list(options?: {
    prefix?: string;
    cursor?: string;
    delimiter?: string;
    limit?: number;
  }): Promise<R2ListResultLike>;
  createMultipartUpload(key: string): Promise<R2MultipartUploadLike>;
}

export interface R2BucketOptions {
  /** Name for messages and metrics (default `r2`). */
  readonly name?: string;
  /** Part size for streamed uploads (default 16 MiB; R2 needs equal parts >= 5 MiB). */
  readonly partSize?: number;
  /** Parts in flight at once (default 2). */
  readonly uploadConcurrency?: number;
}

export class R2Bucket implements Bucket {
  readonly name: string;
  readonly #r2: R2BucketLike;
  readonly #partSize: number;
  readonly #uploadConcurrency: number;

  constructor(binding: R2BucketLike, options: R2BucketOptions = {}) {
    this.#r2 = binding;
    this.name = options.name ?? 'r2';
    this.#partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
    this.#uploadConcurrency = options.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  }

  /** Runs a binding call, turning its exceptions into BucketError with context. */
  async #call<T>(op: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ObjectNotFoundError || err instanceof BucketError) throw err;
      throw new BucketError(op, this.name, key, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
  }

  async get(key: string): Promise<ReadableStream<Uint8Array>> {
    const obj = await this.#call('get', key, () => this.#r2.get(key));
    if (!obj) throw new ObjectNotFoundError(this.name, key);
    return obj.body;
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0) throw new RangeError(`getRange ${key}: negative offset ${offset}`);
    if (length === 0) {
      await this.attributes(key);
      return new Uint8Array(0);
    }
    let obj: R2ObjectBodyLike | null;
    try {
      obj = await this.#r2.get(key, { range: length < 0 ? { offset } : { offset, length } });
    } catch (err) {
      // R2 rejects a range that starts past the end (S3 answers 416 there): if the object
      // exists and really is that short, the answer is "no bytes", as with S3.
      const attrs = await this.attributes(key);
      if (offset >= attrs.size) return new Uint8Array(0);
      throw new BucketError(
        'get_range',
        this.name,
        key,
        err instanceof Error ? err.message : String(err),
        { cause: err },
      );
    }
    if (!obj) throw new ObjectNotFoundError(this.name, key);
    const bytes = new Uint8Array(await this.#call('get_range', key, () => obj!.arrayBuffer()));
    return length >= 0 && bytes.byteLength > length ? bytes.subarray(0, length) : bytes;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#call('exists', key, () => this.#r2.head(key))) !== null;
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    const obj = await this.#call('attributes', key, () => this.#r2.head(key));
    if (!obj) throw new ObjectNotFoundError(this.name, key);
    return { size: obj.size, lastModified: new Date(obj.uploaded) };
  }

  async *iter(dir: string, options?: IterOptions): AsyncIterable<string> {
    const prefix = dirPrefix(dir);
    const delimiter = isRecursive(options) ? undefined : DIR_DELIM;
    let cursor: string | undefined;
    do {
      const page = await this.#call('iter', prefix, () =>
        this.#r2.list({
          prefix,
          limit: 1000,
          ...(delimiter ? { delimiter } : {}),
          ...(cursor ? { cursor } : {}),
        }),
      );
      const keys = page.objects.map((o) => o.key).filter((k) => k !== prefix);
      const dirs = page.delimitedPrefixes;
      let i = 0;
      let j = 0;
      while (i < keys.length || j < dirs.length) {
        if (j >= dirs.length || (i < keys.length && compareStrings(keys[i]!, dirs[j]!) < 0))
          yield keys[i++]!;
        else yield dirs[j++]!;
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }

  async upload(key: string, upload: UploadBody, _size?: number): Promise<void> {
    const body = bytesOrStream(upload);
    if (body instanceof Uint8Array) {
      await this.#call('upload', key, () => this.#r2.put(key, body));
      return;
    }
    // A Worker's put() needs a stream of known length; parts avoid that and bound memory.
    await uploadStream<R2MultipartUploadLike, R2UploadedPartLike>(
      body,
      this.#partSize,
      {
        single: async (bytes) =>
          void (await this.#call('upload', key, () => this.#r2.put(key, bytes))),
        create: () => this.#call('upload', key, () => this.#r2.createMultipartUpload(key)),
        part: (up, n, bytes) => this.#call('upload', key, () => up.uploadPart(n, bytes)),
        complete: async (up, parts) =>
          void (await this.#call('upload', key, () => up.complete(parts))),
        abort: (up) => up.abort(),
      },
      this.#uploadConcurrency,
    );
  }

  async delete(key: string): Promise<void> {
    await this.#call('delete', key, () => this.#r2.delete(key));
  }
}
