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

const NONE = -1;
const MIN_BUCKETS = 16;

/**
 * Values by key, hashed by the caller's FNV-1a of the key bytes. The table is typed arrays, not a
 * Map keyed by hash: a Map probe (V8's FindOrderedHashMapEntry) was the largest single cost of a
 * receive shard's steady appends, and a new key cost an entry object besides.
 */
export class SeriesKeys<T> {
  /** First entry of each bucket (the hash's low bits), NONE when empty. */
  #buckets = new Int32Array(MIN_BUCKETS).fill(NONE);
  /** Per entry: its hash, the next entry of its bucket (or of the free list), key and value. */
  #hashes = new Int32Array(MIN_BUCKETS);
  #next = new Int32Array(MIN_BUCKETS);
  #keys: Array<string | undefined> = [];
  #values: Array<T | undefined> = [];
  /** Entries in use, and entries ever used (slots past it were never handed out). */
  #size = 0;
  #used = 0;
  #free = NONE;

  get size(): number {
    return this.#size;
  }

  /** The value stored under the key whose bytes are `k` in `body`. */
  find(body: Uint8Array, k: KeyBytes): T | undefined {
    if (k.keyJoined === undefined) return this.findBytes(body, k.keyStart, k.keyEnd, k.keyHash);
    return this.#value(this.#entry(k.keyJoined, k.keyHash));
  }

  /** The value stored under the key `body[start, end)`, whose fnvBytes from KEY_SEED is `hash`. */
  findBytes(body: Uint8Array, start: number, end: number, hash: number): T | undefined {
    const h = hash | 0;
    const len = end - start;
    const hashes = this.#hashes;
    const next = this.#next;
    for (let e = this.#buckets[h & (this.#buckets.length - 1)]!; e !== NONE; e = next[e]!) {
      if (hashes[e] !== h) continue;
      const key = this.#keys[e]!;
      if (key.length !== len) continue;
      let i = 0;
      while (i < len && key.charCodeAt(i) === body[start + i]) i++;
      if (i === len) return this.#values[e];
    }
    return undefined;
  }

  get(key: string): T | undefined {
    return this.#value(this.#entry(key, fnvString(KEY_SEED, key)));
  }

  /** Stores `value` under `key` (replacing what was there); `hash` is the key's hash when known. */
  set(key: string, value: T, hash = fnvString(KEY_SEED, key)): void {
    const h = hash | 0;
    const found = this.#entry(key, h);
    if (found !== NONE) {
      this.#values[found] = value;
      return;
    }
    if (this.#size >= this.#buckets.length) this.#grow();
    let e = this.#free;
    if (e !== NONE) this.#free = this.#next[e]!;
    else e = this.#used++;
    const b = h & (this.#buckets.length - 1);
    this.#hashes[e] = h;
    this.#next[e] = this.#buckets[b]!;
    this.#buckets[b] = e;
    this.#keys[e] = key;
    this.#values[e] = value;
    this.#size++;
  }

  clear(): void {
    this.#buckets = new Int32Array(MIN_BUCKETS).fill(NONE);
    this.#hashes = new Int32Array(MIN_BUCKETS);
    this.#next = new Int32Array(MIN_BUCKETS);
    this.#keys = [];
    this.#values = [];
    this.#size = 0;
    this.#used = 0;
    this.#free = NONE;
  }

  delete(key: string): boolean {
    const h = fnvString(KEY_SEED, key) | 0;
    const b = h & (this.#buckets.length - 1);
    let prev = NONE;
    for (let e = this.#buckets[b]!; e !== NONE; prev = e, e = this.#next[e]!) {
      if (this.#hashes[e] !== h || this.#keys[e] !== key) continue;
      if (prev === NONE) this.#buckets[b] = this.#next[e]!;
      else this.#next[prev] = this.#next[e]!;
      this.#keys[e] = undefined;
      this.#values[e] = undefined;
      this.#next[e] = this.#free;
      this.#free = e;
      this.#size--;
      return true;
    }
    return false;
  }

  #entry(key: string, hash: number): number {
    const h = hash | 0;
    for (let e = this.#buckets[h & (this.#buckets.length - 1)]!; e !== NONE; e = this.#next[e]!) {
      if (this.#hashes[e] === h && this.#keys[e] === key) return e;
    }
    return NONE;
  }

  #value(e: number): T | undefined {
    return e === NONE ? undefined : this.#values[e];
  }

  /**
   * Twice the buckets and entry slots; every entry rehashed into the new buckets. Called only when
   * every slot is in use, so there is no free list to carry over.
   */
  #grow(): void {
    const n = this.#buckets.length * 2;
    const hashes = new Int32Array(n);
    hashes.set(this.#hashes);
    const next = new Int32Array(n);
    const buckets = new Int32Array(n).fill(NONE);
    for (let e = 0; e < this.#used; e++) {
      if (this.#keys[e] === undefined) continue;
      const b = hashes[e]! & (n - 1);
      next[e] = buckets[b]!;
      buckets[b] = e;
    }
    this.#hashes = hashes;
    this.#next = next;
    this.#buckets = buckets;
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
