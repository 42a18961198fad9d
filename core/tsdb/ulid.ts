/**
 * @module core/tsdb/ulid — ULIDs as block names (github.com/oklog/ulid, spec ulid/spec): 48-bit
 * Unix-millisecond time then 80 random bits, written as 26 Crockford base32 characters. Sorting
 * the strings sorts by time, which is why Prometheus and Thanos name blocks with them.
 */
import { BadDataError } from '../errors.ts';

/** Crockford's base32 alphabet (no I, L, O, U). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 32; i++) {
    t[ALPHABET.charCodeAt(i)] = i;
    t[ALPHABET.toLowerCase().charCodeAt(i)] = i;
  }
  return t;
})();

export const ULID_LENGTH = 26;
/** Largest time a ULID holds: 2^48 - 1 ms. */
export const ULID_MAX_TIME = 2 ** 48 - 1;

/** Encodes 16 bytes (6 time + 10 entropy) as 26 base32 characters, 130 bits with 2 leading zero bits. */
function encode(bytes: Uint8Array): string {
  let out = '';
  // Walk the 128 bits from the top in 5-bit groups; the first group has only 3 data bits.
  let acc = 0;
  let bits = 2; // two implicit zero bits in front make 130 = 26 * 5
  for (let i = 0; i < 16; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  return out;
}

/** Builds a ULID string from a time in ms and 10 bytes of entropy. */
export function ulidFromParts(timeMs: number, entropy: Uint8Array): string {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs > ULID_MAX_TIME) {
    throw new RangeError(`ulid: time ${timeMs} out of range`);
  }
  if (entropy.length !== 10) throw new RangeError('ulid: entropy must be 10 bytes');
  const b = new Uint8Array(16);
  let t = timeMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b.set(entropy, 6);
  return encode(b);
}

/**
 * Makes ULIDs that are strictly increasing even within one millisecond (oklog's monotonic
 * entropy): in the same ms the previous entropy is incremented instead of drawn anew, so blocks
 * cut in a burst still sort in creation order.
 */
export class UlidFactory {
  #lastTime = -1;
  #entropy = new Uint8Array(10);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  next(timeMs: number = this.#now()): string {
    if (timeMs <= this.#lastTime) {
      // Same (or an earlier, clock-skewed) ms: stay at the last time and increment the entropy.
      timeMs = this.#lastTime;
      if (!increment(this.#entropy))
        throw new RangeError('ulid: entropy overflow within one millisecond');
    } else {
      crypto.getRandomValues(this.#entropy);
      this.#lastTime = timeMs;
    }
    return ulidFromParts(timeMs, this.#entropy);
  }
}

/** Big-endian +1 over the bytes; false when it wrapped to zero. */
function increment(b: Uint8Array): boolean {
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] !== 0xff) {
      b[i]!++;
      return true;
    }
    b[i] = 0;
  }
  return false;
}

const defaultFactory = new UlidFactory();

/** A new ULID for now (monotonic within this process). */
export function newUlid(timeMs?: number): string {
  return defaultFactory.next(timeMs);
}

/** The ms timestamp of a ULID string; BadDataError if it is not one. */
export function ulidTime(ulid: string): number {
  if (ulid.length !== ULID_LENGTH)
    throw new BadDataError(`ulid: ${JSON.stringify(ulid)} is not 26 characters`);
  let t = 0;
  for (let i = 0; i < ULID_LENGTH; i++) {
    const c = ulid.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0)
      throw new BadDataError(`ulid: invalid character ${JSON.stringify(ulid[i])} in ${ulid}`);
    // The first 10 characters carry the 48-bit time (the first one only 3 bits of it).
    if (i === 0 && v > 7) throw new BadDataError(`ulid: ${ulid} overflows 128 bits`);
    if (i < 10) t = t * 32 + v;
  }
  return t;
}
