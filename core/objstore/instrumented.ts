/**
 * @module core/objstore/instrumented — a Bucket decorator that counts requests, bytes and
 * failures per operation (Thanos's `objstore_bucket_operations_total` and friends, kept as
 * plain numbers so tests can assert how many reads a query made and exporters can publish them).
 */
import type { Bucket, IterOptions, ObjectAttributes, UploadBody } from './bucket.ts';
import { isNotFound } from './errors.ts';

/** Operation names as Thanos labels them. */
export const OPERATIONS = [
  'get',
  'get_range',
  'exists',
  'attributes',
  'iter',
  'upload',
  'delete',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface OperationStats {
  /** Calls made (an `iter` counts once however many pages it fetched). */
  requests: number;
  /** Bytes read (get, get_range) or written (upload). */
  bytes: number;
  /** Calls that threw, not counting "not found" (Thanos does not count those either). */
  failures: number;
}

export type BucketStats = Record<Operation, OperationStats>;

function emptyStats(): BucketStats {
  const s = {} as BucketStats;
  for (const op of OPERATIONS) s[op] = { requests: 0, bytes: 0, failures: 0 };
  return s;
}

export class InstrumentedBucket implements Bucket {
  readonly #inner: Bucket;
  #stats: BucketStats = emptyStats();

  constructor(inner: Bucket) {
    this.#inner = inner;
  }

  get name(): string {
    return this.#inner.name;
  }

  /** The wrapped bucket. */
  get inner(): Bucket {
    return this.#inner;
  }

  /** A copy of the counters. */
  stats(): BucketStats {
    const out = emptyStats();
    for (const op of OPERATIONS) Object.assign(out[op], this.#stats[op]);
    return out;
  }

  /** Requests summed over `ops` (all operations by default). */
  requests(...ops: Operation[]): number {
    const list: readonly Operation[] = ops.length ? ops : OPERATIONS;
    let n = 0;
    for (const op of list) n += this.#stats[op].requests;
    return n;
  }

  reset(): void {
    this.#stats = emptyStats();
  }

  async #track<T>(op: Operation, run: () => Promise<T>): Promise<T> {
    const s = this.#stats[op];
    s.requests++;
    try {
      return await run();
    } catch (err) {
      if (!isNotFound(err)) s.failures++;
      throw err;
    }
  }

  async get(key: string): Promise<ReadableStream<Uint8Array>> {
    const stream = await this.#track('get', () => this.#inner.get(key));
    const s = this.#stats.get;
    // Count bytes as the caller consumes them: a stream abandoned early reads less.
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          s.bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.#track('get_range', () => this.#inner.getRange(key, offset, length));
    this.#stats.get_range.bytes += bytes.byteLength;
    return bytes;
  }

  exists(key: string): Promise<boolean> {
    return this.#track('exists', () => this.#inner.exists(key));
  }

  attributes(key: string): Promise<ObjectAttributes> {
    return this.#track('attributes', () => this.#inner.attributes(key));
  }

  async *iter(dir: string, options?: IterOptions): AsyncIterable<string> {
    const s = this.#stats.iter;
    s.requests++;
    try {
      yield* this.#inner.iter(dir, options);
    } catch (err) {
      s.failures++;
      throw err;
    }
  }

  upload(key: string, body: UploadBody, size?: number): Promise<void> {
    const s = this.#stats.upload;
    let counted: UploadBody;
    if (body instanceof Uint8Array || body instanceof Blob) {
      // A Blob's parts may be sent more than once (retries): its size is what is stored.
      s.bytes += body instanceof Blob ? body.size : body.byteLength;
      counted = body;
    } else {
      counted = body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            s.bytes += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
      );
    }
    return this.#track('upload', () => this.#inner.upload(key, counted, size));
  }

  delete(key: string): Promise<void> {
    return this.#track('delete', () => this.#inner.delete(key));
  }
}
