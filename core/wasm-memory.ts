/**
 * @module core/wasm-memory — what every WASM kernel loader (chunkenc, CRC-32C, points writer,
 * regression) does with a kernel's linear memory: lay buffers out on 8-byte boundaries above
 * `heapBase()` and grow the memory to fit a batch before copying it in.
 */

const PAGE = 65536;

/** Rounds up to the next multiple of 8, so f64 views over the address are aligned. */
export const align8 = (x: number): number => (x + 7) & ~7;

/**
 * Grows `memory` so that byte offset `end` lies inside it. Growing detaches the old
 * `ArrayBuffer`: views made before must be made again (check `view.buffer !== memory.buffer`).
 */
export function growTo(memory: WebAssembly.Memory, end: number): void {
  const size = memory.buffer.byteLength;
  if (end > size) memory.grow(Math.ceil((end - size) / PAGE));
}
