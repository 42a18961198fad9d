/**
 * @module core/objstore/parts — cuts an upload stream into fixed-size parts and drives a
 * single-request or multipart upload, so large objects are streamed with one part in memory.
 *
 * S3 requires every part but the last to be at least 5 MiB; R2 additionally requires them all
 * to be the same size. Fixed-size parts satisfy both.
 */

/** S3's minimum part size (all parts but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Default part size: a few parts for a typical chunk segment, bounded memory in a Worker. */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** S3 and R2 allow at most 10,000 parts per upload. */
export const MAX_PARTS = 10_000;

/** Yields the stream's bytes in parts of exactly `partSize` bytes; the last may be shorter (or empty for an empty stream). */
export async function* fixedParts(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let part = new Uint8Array(partSize);
  let filled = 0;
  let yielded = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let at = 0;
      while (at < value.byteLength) {
        const n = Math.min(partSize - filled, value.byteLength - at);
        part.set(value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === partSize) {
          yield part;
          yielded = true;
          // A fresh buffer: the consumer may still be sending the previous one.
          part = new Uint8Array(partSize);
          filled = 0;
        }
      }
    }
    if (filled > 0 || !yielded) yield part.subarray(0, filled);
  } finally {
    reader.releaseLock();
  }
}

/** The backend half of a multipart upload. */
export interface MultipartTarget<Id, Part> {
  /** Uploads a whole object in one request. */
  single(bytes: Uint8Array): Promise<void>;
  create(): Promise<Id>;
  /** Uploads part `partNumber` (1-based) and returns what `complete` needs to reference it. */
  part(id: Id, partNumber: number, bytes: Uint8Array): Promise<Part>;
  complete(id: Id, parts: Part[]): Promise<void>;
  /** Best effort; errors are swallowed because the upload already failed. */
  abort(id: Id): Promise<void>;
}

/**
 * Uploads a stream: one request if it fits in one part, else a multipart upload with
 * fixed-size parts. A failed multipart upload is aborted so no orphan parts stay billed.
 */
export async function uploadStream<Id, Part>(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
  target: MultipartTarget<Id, Part>,
): Promise<void> {
  const parts = fixedParts(stream, partSize);
  const first = await parts.next();
  const second = await parts.next();
  if (second.done) {
    await target.single(first.done ? new Uint8Array(0) : first.value);
    return;
  }
  const id = await target.create();
  try {
    const done: Part[] = [
      await target.part(id, 1, first.value as Uint8Array),
      await target.part(id, 2, second.value),
    ];
    for await (const bytes of parts) {
      if (done.length >= MAX_PARTS)
        throw new Error(`object needs more than ${MAX_PARTS} parts of ${partSize} bytes`);
      done.push(await target.part(id, done.length + 1, bytes));
    }
    await target.complete(id, done);
  } catch (err) {
    await target.abort(id).catch(() => undefined);
    throw err;
  }
}
