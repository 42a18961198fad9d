/**
 * @module core/receive/byte-strings — label strings shared by every series of a head, found by
 * their UTF-8 bytes where they lie in a request. A new series' labels are mostly names and values
 * the head holds already (`job`, `instance`, `node`, …): finding them by their bytes makes no
 * string, and looking a fresh string up in a Map would make V8 hash (and often internalize) it,
 * which was most of what creating a series cost (perf on workerd: string-table lookups and Map
 * probes ~15% of a receive shard's CPU while it created series).
 */
import { fnvBytes } from './hashring.ts';
import { bytesKey, KEY_SEED, SeriesKeys } from './series-keys.ts';

/** Decodes `body[start, end)` (valid UTF-8 or a BadDataError): called once per distinct string. */
export type DecodeString = (body: Uint8Array, start: number, end: number) => string;

const utf8 = new TextEncoder();

export class ByteStrings {
  /** Decoded strings by their bytes (as a one-char-a-byte key: for ASCII, the string itself). */
  readonly #byBytes = new SeriesKeys<string>();

  get size(): number {
    return this.#byBytes.size;
  }

  /** The string whose UTF-8 bytes are `body[start, end)`: the one held, or `decode`'s, held from now on. */
  fromBytes(body: Uint8Array, start: number, end: number, decode: DecodeString): string {
    const hash = fnvBytes(KEY_SEED, body, start, end);
    const held = this.#byBytes.findBytes(body, start, end, hash);
    if (held !== undefined) return held;
    const str = decode(body, start, end);
    const key = bytesKey(body, start, end);
    // An ASCII string is its own key: one string held, not two.
    this.#byBytes.set(key, key === str ? key : str, hash);
    return key === str ? key : str;
  }

  /** The held string equal to `str` (held from now on if none was). */
  intern(str: string): string {
    const bytes = utf8.encode(str);
    return this.fromBytes(bytes, 0, bytes.length, () => str);
  }

  /** Forgets every string (after a cut, so the strings of dropped series can go). */
  clear(): void {
    this.#byBytes.clear();
  }
}
