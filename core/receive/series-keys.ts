/**
 * @module core/receive/series-keys — a tenant's series found by the bytes of their label fields
 * as a sender sent them. A lookup hashes the bytes where they lie in the request and compares
 * them with the keys stored under that hash, so no string is made per series per request: a fresh
 * string used as a Map key makes V8 build it, hash it and internalize it, which cost a receive
 * shard more than appending the samples (perf on workerd: string-table lookups alone ~5% of its CPU).
 *
 * Keys are stored as strings of one char a byte (the canonical key of a series, and the other
 * encodings senders used for it); a key's hash is FNV-1a over those bytes, the same whether taken
 * from the string or from the request.
 */
import { fnvString } from './hashring.ts';

/** Where hashing of a series key starts (any constant; not the shards' tenant seed). */
export const KEY_SEED = 0x811c9dc5;

/** A key's bytes in a request: one run `[start, end)`, or, when the label fields were not adjacent, the runs joined as a string. */
export interface KeyBytes {
  /** fnvBytes of the key's bytes from KEY_SEED. */
  readonly keyHash: number;
  readonly keyStart: number;
  readonly keyEnd: number;
  /** The key when its bytes are not one run (then keyStart/keyEnd are unused). */
  readonly keyJoined: string | undefined;
}

interface Entry<T> {
  readonly key: string;
  readonly value: T;
  next: Entry<T> | undefined;
}

export class SeriesKeys<T> {
  readonly #byHash = new Map<number, Entry<T>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The value stored under the key whose bytes are `k` in `body`. */
  find(body: Uint8Array, k: KeyBytes): T | undefined {
    let e = this.#byHash.get(k.keyHash);
    if (k.keyJoined !== undefined) {
      for (; e; e = e.next) if (e.key === k.keyJoined) return e.value;
      return undefined;
    }
    const len = k.keyEnd - k.keyStart;
    for (; e; e = e.next) {
      const key = e.key;
      if (key.length !== len) continue;
      let i = 0;
      while (i < len && key.charCodeAt(i) === body[k.keyStart + i]) i++;
      if (i === len) return e.value;
    }
    return undefined;
  }

  get(key: string): T | undefined {
    for (let e = this.#byHash.get(fnvString(KEY_SEED, key)); e; e = e.next) {
      if (e.key === key) return e.value;
    }
    return undefined;
  }

  /** Stores `value` under `key` (replacing what was there). */
  set(key: string, value: T): void {
    const h = fnvString(KEY_SEED, key);
    const first = this.#byHash.get(h);
    let prev: Entry<T> | undefined;
    for (let e = first; e; prev = e, e = e.next) {
      if (e.key !== key) continue;
      const replaced: Entry<T> = { key, value, next: e.next };
      if (prev) prev.next = replaced;
      else this.#byHash.set(h, replaced);
      return;
    }
    this.#byHash.set(h, { key, value, next: first });
    this.#size++;
  }

  delete(key: string): boolean {
    const h = fnvString(KEY_SEED, key);
    let prev: Entry<T> | undefined;
    for (let e = this.#byHash.get(h); e; prev = e, e = e.next) {
      if (e.key !== key) continue;
      if (prev) prev.next = e.next;
      else if (e.next) this.#byHash.set(h, e.next);
      else this.#byHash.delete(h);
      this.#size--;
      return true;
    }
    return false;
  }
}

/** The key bytes of a series as a string (for a key not found: a new series or a new alias). */
export function keyString(body: Uint8Array, k: KeyBytes): string {
  return k.keyJoined ?? bytesKey(body, k.keyStart, k.keyEnd);
}

/** Bytes as a string, one char a byte (a map key; never shown). */
export function bytesKey(b: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let at = start; at < end; at += 4096) {
    const part = b.subarray(at, Math.min(end, at + 4096));
    out += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return out;
}
