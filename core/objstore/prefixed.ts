/**
 * @module core/objstore/prefixed — a Bucket decorator that keeps every key under a fixed
 * prefix (Thanos objstore config's top-level `prefix:`), so several tenants or environments
 * can share one physical bucket.
 */
import {
  dirPrefix,
  type Bucket,
  type IterOptions,
  type ObjectAttributes,
  type UploadBody,
} from './bucket.ts';

export class PrefixedBucket implements Bucket {
  readonly #inner: Bucket;
  readonly #prefix: string;

  /** `prefix` is a directory; surrounding slashes are normalised ('a/b' → 'a/b/'). */
  constructor(inner: Bucket, prefix: string) {
    this.#inner = inner;
    this.#prefix = dirPrefix(prefix.replace(/^\/+|\/+$/g, ''));
  }

  get name(): string {
    return this.#inner.name;
  }

  #key(key: string): string {
    return this.#prefix + key;
  }

  get(key: string): Promise<ReadableStream<Uint8Array>> {
    return this.#inner.get(this.#key(key));
  }
  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#inner.getRange(this.#key(key), offset, length);
  }
  exists(key: string): Promise<boolean> {
    return this.#inner.exists(this.#key(key));
  }
  attributes(key: string): Promise<ObjectAttributes> {
    return this.#inner.attributes(this.#key(key));
  }
  async *iter(dir: string, options?: IterOptions): AsyncIterable<string> {
    const n = this.#prefix.length;
    for await (const k of this.#inner.iter(this.#prefix + dirPrefix(dir), options))
      yield k.slice(n);
  }
  upload(key: string, body: UploadBody, size?: number): Promise<void> {
    return this.#inner.upload(this.#key(key), body, size);
  }
  delete(key: string): Promise<void> {
    return this.#inner.delete(this.#key(key));
  }
}
