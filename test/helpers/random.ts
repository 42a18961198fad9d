/**
 * @module test/helpers/random — the one seeded pseudo-random generator of the tests, fixtures,
 * benchmarks and scripts: mulberry32 (32 bits of state, period 2^32), small and fast, and the
 * same sequence for the same seed on every machine and runtime. A failing fuzz case replays from
 * its seed, and data generated for a test whose expected values are pinned stays the same.
 * Never use it where unpredictability matters (tokens, ports): it is not a secure generator.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next 32 random bits as an unsigned integer; every other method draws through this. */
  uint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1): one draw divided by 2^32. */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [0, n): `Math.floor(next() * n)`, one draw (callers' sequences rely on it). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi], both ends included. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p (one draw). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array (or typed array, or string), uniformly (one draw). */
  pick<T>(xs: ArrayLike<T>): T {
    if (xs.length === 0) throw new RangeError('pick from an empty array');
    return xs[this.int(xs.length)]!;
  }

  /** Shuffles `xs` in place (Fisher–Yates, from the end) and returns it. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const x = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = x;
    }
    return xs;
  }

  /** Fills `out` with random bytes, four per draw (little-endian), and returns it. */
  fill(out: Uint8Array): Uint8Array {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const x = this.uint32();
      out[i] = x & 0xff;
      out[i + 1] = (x >>> 8) & 0xff;
      out[i + 2] = (x >>> 16) & 0xff;
      out[i + 3] = x >>> 24;
    }
    if (i < out.length) {
      let x = this.uint32();
      for (; i < out.length; i++, x >>>= 8) out[i] = x & 0xff;
    }
    return out;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    return this.fill(new Uint8Array(n));
  }
}
