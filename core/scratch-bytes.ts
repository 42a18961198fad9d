/**
 * @module core/scratch-bytes — one buffer reused for bytes that live only within a synchronous
 * step (a request decoded, appended and logged before the next await). A fresh buffer of a few
 * hundred KiB per request costs more than the work on it: the allocator hands back new pages,
 * each zeroed and faulted in (perf on workerd's receive path: ~10% of its CPU in page faults).
 */
export class ScratchBytes {
  #buf = new Uint8Array(0);

  /** Sizes above `maxKeep` bytes are allocated afresh each time, not kept. */
  constructor(readonly maxKeep: number) {}

  /**
   * A view of `n` bytes of the shared buffer (contents undefined), valid until the next `take`:
   * the caller must be done with it before it awaits anything.
   */
  take(n: number): Uint8Array {
    if (n > this.maxKeep) return new Uint8Array(n);
    if (n > this.#buf.length) {
      this.#buf = new Uint8Array(Math.min(this.maxKeep, Math.max(n, 2 * this.#buf.length)));
    }
    return this.#buf.subarray(0, n);
  }
}
