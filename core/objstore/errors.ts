/**
 * @module core/objstore/errors — object-storage failures as the typed errors of core/errors.ts,
 * with the bucket and key in the message so a log line alone says what failed.
 */
import { NotFoundError, StorageError } from '../errors.ts';

/** The object `key` does not exist in `bucket`. `instanceof NotFoundError` holds. */
export class ObjectNotFoundError extends NotFoundError {
  readonly bucket: string;
  readonly key: string;
  constructor(bucket: string, key: string, options?: { cause?: unknown }) {
    super(`object not found: bucket ${bucket}, key ${key}`, options);
    this.bucket = bucket;
    this.key = key;
  }
}

/** A storage operation failed (network, 5xx, auth, bad response). `instanceof StorageError` holds. */
export class BucketError extends StorageError {
  readonly bucket: string;
  readonly key: string;
  /** HTTP status when the backend answered, else undefined. */
  readonly status: number | undefined;
  constructor(
    op: string,
    bucket: string,
    key: string,
    detail: string,
    options?: { cause?: unknown; status?: number },
  ) {
    const status = options?.status;
    super(
      `${op} failed: bucket ${bucket}, key ${key || '(none)'}` +
        (status !== undefined ? `, status ${status}` : '') +
        (detail ? `: ${detail}` : ''),
      options,
    );
    this.bucket = bucket;
    this.key = key;
    this.status = status;
  }
}

/** Thanos's `IsObjNotFoundErr`: whether `err` means the object does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof NotFoundError;
}
