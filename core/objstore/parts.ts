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

/**
 * Yields the stream's bytes in parts of exactly `partSize` bytes; the last may be shorter (or
 * empty for an empty stream). Memory grows with the data, not with `partSize`: a 61-byte file
 * uploaded with 64 MiB parts allocates 61 bytes.
 */
export async function* fixedParts(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let yielded = false;
  // Concatenates the first `n` pending bytes into one part and keeps the rest pending.
  const take = (n: number): Uint8Array => {
    if (pending.length === 1 && pending[0]!.byteLength === n) {
      const only = pending[0]!;
      pending = [];
      pendingBytes = 0;
      return only;
    }
    const part = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = pending[0]!;
      const k = Math.min(head.byteLength, n - at);
      part.set(head.subarray(0, k), at);
      at += k;
      if (k === head.byteLength) pending.shift();
      else pending[0] = head.subarray(k);
    }
    pendingBytes -= n;
    return part;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      pending.push(value);
      pendingBytes += value.byteLength;
      while (pendingBytes >= partSize) {
        yield take(partSize);
        yielded = true;
      }
    }
    if (pendingBytes > 0 || !yielded) yield take(pendingBytes);
  } finally {
    reader.releaseLock();
  }
}

/** The backend half of a multipart upload; `Body` is what a request carries (bytes, or a Blob). */
export interface MultipartTarget<Id, Part, Body = Uint8Array> {
  /** Uploads a whole object in one request. */
  single(bytes: Body): Promise<void>;
  create(): Promise<Id>;
  /** Uploads part `partNumber` (1-based) and returns what `complete` needs to reference it. */
  part(id: Id, partNumber: number, bytes: Body): Promise<Part>;
  complete(id: Id, parts: Part[]): Promise<void>;
  /** Best effort; errors are swallowed because the upload already failed. */
  abort(id: Id): Promise<void>;
}

/** Parts in flight at once by default: memory is about (concurrency + 2) × part size. */
export const DEFAULT_UPLOAD_CONCURRENCY = 2;

/**
 * Uploads a stream: one request if it fits in one part, else a multipart upload with
 * fixed-size parts, up to `concurrency` of them in flight (Thanos's minio client uses 4
 * threads; a Worker isolate's 128 MB argues for fewer). A failed multipart upload is aborted
 * so no orphan parts stay billed.
 */
export async function uploadStream<Id, Part>(
  stream: ReadableStream<Uint8Array>,
  partSize: number,
  target: MultipartTarget<Id, Part>,
  concurrency = DEFAULT_UPLOAD_CONCURRENCY,
): Promise<void> {
  const parts = fixedParts(stream, partSize);
  const first = await parts.next();
  const second = await parts.next();
  if (second.done) {
    await target.single(first.done ? new Uint8Array(0) : first.value);
    return;
  }
  const id = await target.create();
  const done: Part[] = [];
  const inflight = new Set<Promise<void>>();
  let launched = 0;
  let failure: { err: unknown } | undefined;
  const launch = (bytes: Uint8Array): void => {
    const n = ++launched;
    const p: Promise<void> = target.part(id, n, bytes).then(
      (r) => {
        done[n - 1] = r;
        inflight.delete(p);
      },
      (err: unknown) => {
        failure ??= { err };
        inflight.delete(p);
      },
    );
    inflight.add(p);
  };
  const drainTo = async (limit: number): Promise<void> => {
    while (inflight.size > limit) await Promise.race(inflight);
  };
  try {
    launch(first.value as Uint8Array);
    await drainTo(Math.max(1, concurrency) - 1);
    launch(second.value);
    await drainTo(Math.max(1, concurrency) - 1);
    for await (const bytes of parts) {
      if (failure) break;
      if (launched >= MAX_PARTS)
        throw new Error(`object needs more than ${MAX_PARTS} parts of ${partSize} bytes`);
      launch(bytes);
      await drainTo(Math.max(1, concurrency) - 1);
    }
    await drainTo(0);
    if (failure) throw failure.err;
    await target.complete(id, done);
  } catch (err) {
    await drainTo(0).catch(() => undefined);
    await target.abort(id).catch(() => undefined);
    throw err;
  }
}

/**
 * Uploads a Blob: one request if it fits in one part, else a multipart upload whose parts are
 * slices of the Blob, up to `concurrency` in flight. A slice is read only while its request
 * sends it (and read again if that request is retried), so memory does not grow with the part
 * size: the way Thanos's minio client uploads a file, reading each part at its offset.
 */
export async function uploadBlob<Id, Part>(
  blob: Blob,
  partSize: number,
  target: MultipartTarget<Id, Part, Blob>,
  concurrency = DEFAULT_UPLOAD_CONCURRENCY,
): Promise<void> {
  if (blob.size <= partSize) {
    await target.single(blob);
    return;
  }
  const count = Math.ceil(blob.size / partSize);
  if (count > MAX_PARTS)
    throw new Error(`object needs more than ${MAX_PARTS} parts of ${partSize} bytes`);
  const id = await target.create();
  const done = new Array<Part>(count);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < count && !failed) {
      const k = next++;
      const start = k * partSize;
      try {
        done[k] = await target.part(
          id,
          k + 1,
          blob.slice(start, Math.min(blob.size, start + partSize)),
        );
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  try {
    const workers = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker);
    const settled = await Promise.allSettled(workers);
    const rejected = settled.find((r) => r.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
    await target.complete(id, done);
  } catch (err) {
    await target.abort(id).catch(() => undefined);
    throw err;
  }
}
