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

/** Decodes `body[start, end)` (valid UTF-8 or a BadDataError): called for a string not held. */
export type DecodeString = (body: Uint8Array, start: number, end: number) => string;

const utf8 = new TextEncoder();

export class ByteStrings {
  /** Decoded strings by their bytes (as a one-char-a-byte key: for ASCII, the string itself). */
  readonly #byBytes = new SeriesKeys<string>();

  get size(): number {
    return this.#byBytes.size;
  }

  /**
   * The string whose UTF-8 bytes are `body[start, end)`: the one held, or else `decode`'s, which is
   * not held (a request may yet be refused: only `intern` holds, for series a head keeps).
   */
  fromBytes(body: Uint8Array, start: number, end: number, decode: DecodeString): string {
    const held = this.#byBytes.findBytes(body, start, end, fnvBytes(KEY_SEED, body, start, end));
    return held ?? decode(body, start, end);
  }

  /** The held string equal to `str`, holding `str` if none was. */
  intern(str: string): string {
    let ascii = true;
    for (let i = 0; i < str.length && ascii; i++) ascii = str.charCodeAt(i) < 0x80;
    // An ASCII string is its own key (one char a byte): nothing to encode, one string held.
    const bytes = ascii ? undefined : utf8.encode(str);
    const key = bytes ? bytesKey(bytes, 0, bytes.length) : str;
    const held = this.#byBytes.get(key);
    if (held !== undefined) return held;
    this.#byBytes.set(key, str);
    return str;
  }

  /** Forgets every string (after a cut, so the strings of dropped series can go). */
  clear(): void {
    this.#byBytes.clear();
  }
}
