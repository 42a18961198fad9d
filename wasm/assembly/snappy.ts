/**
 * @module wasm/assembly/snappy — snappy block-format decoding (remote-write bodies, WAL records):
 * the elements after the length header, from input at `src` into output at `dst`. GC-free (stub
 * runtime); the JS side (core/tsdb/wal/snappy-wasm.ts) parses the header, owns linear memory
 * above `heapBase()` and maps the status to SnappyError. The reference is the JS decoder in
 * core/tsdb/wal/snappy.ts: in workerd, JS moves bytes a few times slower than `memory.copy`.
 */

/** Statuses `decode` returns (negative); a non-negative one is the number of bytes written. */
export const ERR_LITERAL_LENGTH: i32 = -1;
export const ERR_LITERAL: i32 = -2;
export const ERR_COPY_TRUNCATED: i32 = -3;
export const ERR_COPY: i32 = -4;
export const ERR_LENGTH: i32 = -5;

export function heapBase(): usize {
  return __heap_base;
}

export function decode(src: usize, srcLen: usize, dst: usize, dstLen: usize): i32 {
  const srcEnd = src + srcLen;
  const dstEnd = dst + dstLen;
  let p = src;
  let d = dst;
  while (p < srcEnd) {
    const tag = <u32>load<u8>(p);
    p++;
    const kind = tag & 3;
    if (kind == 0) {
      let len = <u64>(tag >>> 2);
      if (len >= 60) {
        const k = <usize>(len - 59);
        if (k > srcEnd - p) return ERR_LITERAL_LENGTH;
        len = 0;
        for (let i: usize = 0; i < k; i++) len |= (<u64>load<u8>(p + i)) << (<u64>i * 8);
        p += k;
      }
      len += 1;
      if (len > <u64>(srcEnd - p) || len > <u64>(dstEnd - d)) return ERR_LITERAL;
      memory.copy(d, p, <usize>len);
      p += <usize>len;
      d += <usize>len;
      continue;
    }
    let len: usize;
    let off: usize;
    if (kind == 1) {
      if (p >= srcEnd) return ERR_COPY_TRUNCATED;
      len = 4 + ((tag >>> 2) & 7);
      off = ((<usize>(tag >>> 5)) << 8) | (<usize>load<u8>(p));
      p += 1;
    } else if (kind == 2) {
      if (<usize>2 > srcEnd - p) return ERR_COPY_TRUNCATED;
      len = 1 + (tag >>> 2);
      off = (<usize>load<u8>(p)) | ((<usize>load<u8>(p + 1)) << 8);
      p += 2;
    } else {
      if (<usize>4 > srcEnd - p) return ERR_COPY_TRUNCATED;
      len = 1 + (tag >>> 2);
      off =
        (<usize>load<u8>(p)) |
        ((<usize>load<u8>(p + 1)) << 8) |
        ((<usize>load<u8>(p + 2)) << 16) |
        ((<usize>load<u8>(p + 3)) << 24);
      p += 4;
    }
    if (off == 0 || off > d - dst || len > dstEnd - d) return ERR_COPY;
    if (off >= len) {
      memory.copy(d, d - off, len);
    } else {
      // An overlapping copy repeats the last `off` bytes: forward, byte by byte.
      for (let i: usize = 0; i < len; i++) store<u8>(d + i, load<u8>(d - off + i));
    }
    d += len;
  }
  return d == dstEnd ? <i32>(d - dst) : ERR_LENGTH;
}
