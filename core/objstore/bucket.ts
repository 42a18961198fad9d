/**
 * @module core/objstore/bucket — the one object-storage contract (Thanos `objstore.Bucket`).
 *
 * Every implementation (R2 binding, S3 API, local filesystem) and every decorator (prefix,
 * instrumentation) satisfies `Bucket`; `bucketAcceptance` in ./acceptance.ts checks them all
 * against the same cases.
 */
import { readAllBytes } from '../byte-stream.ts';

/** Thanos's directory delimiter: "directories" in listings are key prefixes ending in it. */
export const DIR_DELIM = '/';

/** What `attributes` reports about an object. */
export interface ObjectAttributes {
  /** Size in bytes. */
  readonly size: number;
  readonly lastModified: Date;
}

export interface IterOptions {
  /**
   * How far `iter` descends (default `true`: one level, as Thanos's `Iter` without options).
   * - `true` — one level below `dir`; deeper keys are folded into `dir/sub/` entries.
   * - `false` or `'recursive'` — every object key below `dir`, no directory entries
   *   (Thanos's `WithRecursiveIter`).
   */
  readonly delimiter?: boolean | 'recursive';
  /** Same as `delimiter: 'recursive'`; Thanos's spelling. */
  readonly recursive?: boolean;
}

/**
 * Body accepted by `upload`. Streams are uploaded without buffering the whole object. A `Blob`
 * (a file on disk: the agent's FileBlob) can be read again at any offset, so an
 * implementation may send it part by part, in parallel, and retry a part, without holding any
 * part in memory.
 */
export type UploadBody = Uint8Array | ReadableStream<Uint8Array> | Blob;

/** The body as bytes or a stream, for implementations without a path of their own for a Blob. */
export function bytesOrStream(body: UploadBody): Uint8Array | ReadableStream<Uint8Array> {
  return body instanceof Blob ? body.stream() : body;
}

export interface Bucket {
  /** Bucket name, for messages and metrics. */
  readonly name: string;

  /** The whole object as a stream. Throws `NotFoundError` if the key does not exist. */
  get(key: string): Promise<ReadableStream<Uint8Array>>;

  /**
   * Exactly the bytes `[offset, offset + length)` of the object.
   *
   * Like S3, a range that reaches past the end returns only the bytes that exist: a range
   * starting at or after the end (or any range of an empty object) returns an empty array
   * rather than failing. `length < 0` means "to the end". Throws `NotFoundError` if the key
   * does not exist (also for `length == 0`).
   */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;

  /** Whether the object exists. Never throws `NotFoundError`. */
  exists(key: string): Promise<boolean>;

  /** Size and modification time. Throws `NotFoundError` if the key does not exist. */
  attributes(key: string): Promise<ObjectAttributes>;

  /**
   * Keys under the directory `dir` ('' is the root; a missing trailing '/' is added), in
   * byte order, as full keys. With the default options, sub-directories appear once each as
   * `dir/sub/` (Thanos `Iter` semantics). A missing directory yields nothing.
   */
  iter(dir: string, options?: IterOptions): AsyncIterable<string>;

  /**
   * Writes the object, replacing any existing one. Readers never see a partial object.
   * `size` is a hint for streams (lets implementations choose single vs. multipart upload).
   */
  upload(key: string, body: UploadBody, size?: number): Promise<void>;

  /** Removes the object. Deleting a missing key succeeds (S3 semantics), so retries are safe. */
  delete(key: string): Promise<void>;
}

/** True when `options` ask for a recursive listing. */
export function isRecursive(options?: IterOptions): boolean {
  return (
    options?.recursive === true ||
    options?.delimiter === false ||
    options?.delimiter === 'recursive'
  );
}

/** Normalises a directory argument to '' or a prefix ending in '/' (Thanos does the same). */
export function dirPrefix(dir: string): string {
  if (dir === '' || dir === DIR_DELIM) return '';
  return dir.endsWith(DIR_DELIM) ? dir : dir + DIR_DELIM;
}

/** Reads a whole object into memory. For small objects (meta.json, markers). */
export async function getAll(bucket: Bucket, key: string): Promise<Uint8Array> {
  return readAllBytes(await bucket.get(key));
}

/** Collects every key of a listing into an array (tests and small directories). */
export async function listAll(
  bucket: Bucket,
  dir: string,
  options?: IterOptions,
): Promise<string[]> {
  const out: string[] = [];
  for await (const k of bucket.iter(dir, options)) out.push(k);
  return out;
}
