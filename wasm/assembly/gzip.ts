/**
 * @module wasm/assembly/gzip — a streaming gzip (RFC 1952) encoder of the fast kind: greedy LZ77
 * with one hash probe per position over a 32 KiB window, and dynamic Huffman blocks (RFC 1951).
 * JSON answers are mostly digits and repeated punctuation: the Huffman codes carry most of the
 * gain, the matches the rest, and a deeper match search buys little for its CPU.
 *
 * GC-free (stub runtime). One stream per instance: `begin(maxChunk)` resets it and returns where
 * the caller writes its first chunk; each `compress(n, final)` consumes the n bytes written at
 * `inputPtr()` and leaves its output at `outputPtr()` (its length returned). The window's last
 * 32 KiB are kept in front of the next input, so matches reach across chunks.
 */

const WINDOW: u32 = 32768;
const HASH_BITS: u32 = 15;
const MIN_MATCH: u32 = 4;
const MAX_MATCH: u32 = 258;
/** Matches shorter than this are checked against one starting a byte later. */
const LAZY_BELOW: u32 = 8;
/** Symbols per block: enough for the Huffman tables to pay for themselves many times. */
const SYM_MAX: u32 = 16384;
/** Positions are absolute u32 stream offsets; past this the hash table starts over. */
const REBASE_AT: u32 = 0x7000_0000;

const CRC_TABLES: usize = memory.data(8 * 256 * 4, 64);
const HASH: usize = memory.data(<i32>(4 << HASH_BITS), 64);
const SYMS: usize = memory.data(<i32>(SYM_MAX * 4), 64);
/** Length code index (0..28) of match length 3..258, and distance code (0..29) of 1..32768. */
const LEN_CODE: usize = memory.data(256);
const DIST_CODE: usize = memory.data(<i32>WINDOW);

const LEN_BASE: usize = memory.data<u16>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
]);
const LEN_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
const DIST_BASE: usize = memory.data<u16>([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);
const DIST_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** The order code-length code lengths are sent in. */
const CL_ORDER: usize = memory.data<u8>([
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
]);

const LIT_N: u32 = 286;
const DIST_N: u32 = 30;
const CL_N: u32 = 19;

// Per alphabet: frequencies (u32), lengths (u8), codes (u16, bit-reversed for LSB-first output).
const LIT_FREQ: usize = memory.data(<i32>(LIT_N * 4), 16);
const DIST_FREQ: usize = memory.data(<i32>(DIST_N * 4), 16);
const CL_FREQ: usize = memory.data(<i32>(CL_N * 4), 16);
const LIT_LEN: usize = memory.data(<i32>LIT_N);
const DIST_LEN: usize = memory.data(<i32>DIST_N);
const CL_LEN: usize = memory.data(<i32>CL_N);
const LIT_CODE: usize = memory.data(<i32>(LIT_N * 2), 16);
const DIST_CODE_BITS: usize = memory.data(<i32>(DIST_N * 2), 16);
const CL_CODE: usize = memory.data(<i32>(CL_N * 2), 16);
/** Code-length run symbols of one block header: symbol | extra value << 8. */
const RLE: usize = memory.data(<i32>((LIT_N + DIST_N) * 2), 16);
// A block's codes as the symbol loop writes them: literal code | bits << 24; for each match
// length 3..258 its length code and extra bits together (value | bits << 24); distance code | bits << 24.
const LIT_ENC: usize = memory.data(<i32>(256 * 4), 16);
const LENGTH_ENC: usize = memory.data(<i32>(256 * 4), 16);
const DIST_ENC: usize = memory.data(<i32>(DIST_N * 4), 16);
// Scratch for building one code: symbols sorted by frequency, their working values, counts.
const SORTED: usize = memory.data(<i32>(LIT_N * 4), 16);
const WORK: usize = memory.data(<i32>(LIT_N * 4), 16);
const COUNT: usize = memory.data(4 * 320, 16);

function initTables(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    store<u32>(CRC_TABLES + (<usize>i << 2), c);
  }
  for (let i: u32 = 0; i < 256; i++) {
    let c = load<u32>(CRC_TABLES + (<usize>i << 2));
    for (let k: u32 = 1; k < 8; k++) {
      c = (c >>> 8) ^ load<u32>(CRC_TABLES + (<usize>(c & 0xff) << 2));
      store<u32>(CRC_TABLES + (<usize>(k * 256 + i) << 2), c);
    }
  }
  for (let code: u32 = 0; code < 29; code++) {
    const base = <u32>load<u16>(LEN_BASE + (<usize>code << 1));
    const span: u32 = code == 28 ? 1 : 1 << load<u8>(LEN_EXTRA + code);
    for (let k: u32 = 0; k < span; k++) store<u8>(LEN_CODE + base - 3 + k, <u8>code);
  }
  for (let code: u32 = 0; code < 30; code++) {
    const base = <u32>load<u16>(DIST_BASE + (<usize>code << 1));
    const span: u32 = 1 << load<u8>(DIST_EXTRA + code);
    for (let k: u32 = 0; k < span; k++) store<u8>(DIST_CODE + base - 1 + k, <u8>code);
  }
}
initTables();

// @ts-ignore: decorator
@inline
function crcWord(k: u32, w: u32): u32 {
  const base = CRC_TABLES + (<usize>k << 10);
  return (
    load<u32>(base + 3072 + <usize>((w << 2) & 0x3fc)) ^
    load<u32>(base + 2048 + <usize>((w >>> 6) & 0x3fc)) ^
    load<u32>(base + 1024 + <usize>((w >>> 14) & 0x3fc)) ^
    load<u32>(base + <usize>((w >>> 22) & 0x3fc))
  );
}

function crcUpdate(crc: u32, p: usize, len: usize): u32 {
  const end = p + len;
  while (end - p >= 8) {
    crc = crcWord(4, load<u32>(p) ^ crc) ^ crcWord(0, load<u32>(p, 4));
    p += 8;
  }
  while (p < end) {
    crc = (crc >>> 8) ^ load<u32>(CRC_TABLES + (<usize>((crc ^ <u32>load<u8>(p)) & 0xff) << 2));
    p++;
  }
  return crc;
}

// Stream state.
let win: usize = 0;
let maxIn: u32 = 0;
let out: usize = 0;
let outAt: usize = 0;
/** Bytes of history kept in front of the input. */
let hist: u32 = 0;
/** Absolute stream offset of win[0]. */
let base: u32 = 0;
let crc: u32 = 0;
let total: u32 = 0;
let nsym: u32 = 0;
let bitBuf: u64 = 0;
let bitCount: u32 = 0;

export function heapBase(): usize {
  return __heap_base;
}

/** Where the next chunk (at most `maxChunk` bytes) is written. */
export function inputPtr(): usize {
  return win + hist;
}

export function outputPtr(): usize {
  return out;
}

/** Worst case output of one chunk: every byte a 15-bit literal, plus block headers. */
function outBound(n: u32): u32 {
  return n * 2 + 4096 + (n / SYM_MAX + 2) * 400;
}

/** Starts a stream whose chunks are at most `maxChunk` bytes; writes the gzip header. */
export function begin(maxChunk: u32): usize {
  maxIn = maxChunk;
  win = (__heap_base + 63) & ~63;
  out = (win + WINDOW + maxChunk + 64 + 63) & ~63;
  const end = out + outBound(maxChunk);
  const have = <usize>memory.size() << 16;
  if (end > have) memory.grow(<i32>((end - have + 0xffff) >> 16));
  memory.fill(HASH, 0, 4 << HASH_BITS);
  memory.fill(LIT_FREQ, 0, LIT_N * 4);
  memory.fill(DIST_FREQ, 0, DIST_N * 4);
  hist = 0;
  base = 0;
  crc = 0xffffffff;
  total = 0;
  nsym = 0;
  bitBuf = 0;
  bitCount = 0;
  outAt = out;
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=4 (fastest) OS=255 (unknown)
  store<u64>(outAt, 0x00000000_00088b1f);
  store<u16>(outAt, 0xff04, 8);
  outAt += 10;
  return win;
}

// @ts-ignore: decorator
@inline
function putBits(value: u32, n: u32): void {
  bitBuf |= <u64>value << bitCount;
  bitCount += n;
  if (bitCount >= 32) {
    store<u32>(outAt, <u32>bitBuf);
    outAt += 4;
    bitBuf >>= 32;
    bitCount -= 32;
  }
}

function flushBytes(): void {
  while (bitCount >= 8) {
    store<u8>(outAt, <u8>bitBuf);
    outAt++;
    bitBuf >>= 8;
    bitCount -= 8;
  }
}

/** Makes a code over `n` symbols have at least two symbols, as decoders require of a complete one. */
function atLeastTwo(freq: usize, n: u32): void {
  let used: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if (load<u32>(freq + (<usize>i << 2)) != 0) used++;
  for (let i: u32 = 0; used < 2 && i < n; i++) {
    if (load<u32>(freq + (<usize>i << 2)) == 0) {
      store<u32>(freq + (<usize>i << 2), 1);
      used++;
    }
  }
}

/**
 * Huffman code lengths of at most `limit` bits for the symbols with nonzero frequency (others get
 * 0): minimum-redundancy lengths computed in place over the frequency-sorted symbols (Moffat and
 * Katajainen), then, if too long, the overlong codes brought to `limit` and shorter codes pushed
 * down one level at a time until the code is complete again; lengths go to symbols by frequency.
 */
function buildLengths(freq: usize, n: u32, limit: u32, lens: usize): void {
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    store<u8>(lens + i, 0);
    const f = load<u32>(freq + (<usize>i << 2));
    if (f == 0) continue;
    // Insertion sort by ascending frequency (alphabets are at most 286 symbols).
    let j = m;
    while (j > 0 && load<u32>(freq + (<usize>load<u32>(SORTED + (<usize>(j - 1) << 2)) << 2)) > f) {
      store<u32>(SORTED + (<usize>j << 2), load<u32>(SORTED + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u32>(SORTED + (<usize>j << 2), i);
    m++;
  }
  // atLeastTwo guarantees m >= 2.
  const A = WORK;
  for (let i: u32 = 0; i < m; i++) {
    store<u32>(A + (<usize>i << 2), load<u32>(freq + (<usize>load<u32>(SORTED + (<usize>i << 2)) << 2)));
  }
  // Phase 1: internal node weights, leaves and nodes merged in order.
  store<u32>(A, load<u32>(A) + load<u32>(A, 4));
  let root: u32 = 0;
  let leaf: u32 = 2;
  for (let next: u32 = 1; next < m - 1; next++) {
    if (leaf >= m || load<u32>(A + (<usize>root << 2)) < load<u32>(A + (<usize>leaf << 2))) {
      store<u32>(A + (<usize>next << 2), load<u32>(A + (<usize>root << 2)));
      store<u32>(A + (<usize>root << 2), next);
      root++;
    } else {
      store<u32>(A + (<usize>next << 2), load<u32>(A + (<usize>leaf << 2)));
      leaf++;
    }
    if (
      leaf >= m ||
      (root < next && load<u32>(A + (<usize>root << 2)) < load<u32>(A + (<usize>leaf << 2)))
    ) {
      store<u32>(A + (<usize>next << 2), load<u32>(A + (<usize>next << 2)) + load<u32>(A + (<usize>root << 2)));
      store<u32>(A + (<usize>root << 2), next);
      root++;
    } else {
      store<u32>(A + (<usize>next << 2), load<u32>(A + (<usize>next << 2)) + load<u32>(A + (<usize>leaf << 2)));
      leaf++;
    }
  }
  // Phase 2: internal node depths.
  store<u32>(A + (<usize>(m - 2) << 2), 0);
  for (let next: i32 = <i32>m - 3; next >= 0; next--) {
    store<u32>(A + (<usize>next << 2), load<u32>(A + (<usize>load<u32>(A + (<usize>next << 2)) << 2)) + 1);
  }
  // Phase 3: leaf depths, counted per length.
  memory.fill(COUNT, 0, 4 * 320);
  let avail: i32 = 1;
  let used: i32 = 0;
  let depth: u32 = 0;
  let r: i32 = <i32>m - 2;
  while (avail > 0) {
    while (r >= 0 && load<u32>(A + (<usize>r << 2)) == depth) {
      used++;
      r--;
    }
    while (avail > used) {
      store<u32>(COUNT + (<usize>depth << 2), load<u32>(COUNT + (<usize>depth << 2)) + 1);
      avail--;
    }
    avail = 2 * used;
    depth++;
    used = 0;
  }
  // Length limit: overlong leaves move to `limit`, then each step turns a shorter leaf into a node
  // holding it and one leaf from `limit`, which lowers the Kraft sum by one 2^-limit unit.
  let kraft: u64 = 0;
  for (let len: u32 = 1; len < 320; len++) {
    const c = load<u32>(COUNT + (<usize>len << 2));
    if (c == 0) continue;
    if (len > limit) {
      store<u32>(COUNT + (<usize>limit << 2), load<u32>(COUNT + (<usize>limit << 2)) + c);
      store<u32>(COUNT + (<usize>len << 2), 0);
      kraft += <u64>c;
    } else kraft += <u64>c << (limit - len);
  }
  const full: u64 = <u64>1 << limit;
  while (kraft > full) {
    let bits = limit - 1;
    while (load<u32>(COUNT + (<usize>bits << 2)) == 0) bits--;
    store<u32>(COUNT + (<usize>bits << 2), load<u32>(COUNT + (<usize>bits << 2)) - 1);
    store<u32>(COUNT + (<usize>(bits + 1) << 2), load<u32>(COUNT + (<usize>(bits + 1) << 2)) + 2);
    store<u32>(COUNT + (<usize>limit << 2), load<u32>(COUNT + (<usize>limit << 2)) - 1);
    kraft--;
  }
  // Longest codes to the rarest symbols.
  let k: u32 = 0;
  for (let len = limit; len >= 1; len--) {
    for (let c = load<u32>(COUNT + (<usize>len << 2)); c > 0; c--) {
      store<u8>(lens + load<u32>(SORTED + (<usize>k << 2)), <u8>len);
      k++;
    }
  }
}

/** Canonical codes from lengths, bit-reversed for deflate's LSB-first bit order. */
function buildCodes(lens: usize, n: u32, codes: usize): void {
  memory.fill(COUNT, 0, 4 * 16);
  for (let i: u32 = 0; i < n; i++) {
    const l = <u32>load<u8>(lens + i);
    store<u32>(COUNT + (<usize>l << 2), load<u32>(COUNT + (<usize>l << 2)) + 1);
  }
  store<u32>(COUNT, 0);
  // COUNT[16 + len] = next code of that length.
  let code: u32 = 0;
  for (let len: u32 = 1; len <= 15; len++) {
    code = (code + load<u32>(COUNT + (<usize>(len - 1) << 2))) << 1;
    store<u32>(COUNT + (<usize>(16 + len) << 2), code);
  }
  for (let i: u32 = 0; i < n; i++) {
    const l = <u32>load<u8>(lens + i);
    if (l == 0) continue;
    const slot = COUNT + (<usize>(16 + l) << 2);
    const c = load<u32>(slot);
    store<u32>(slot, c + 1);
    store<u16>(codes + (<usize>i << 1), <u16>(reverseBits(c) >>> (32 - l)));
  }
}

// @ts-ignore: decorator
@inline
function reverseBits(x: u32): u32 {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  return bswap<u32>(x);
}

/** Run-length codes (16, 17, 18) of the concatenated literal/length and distance code lengths. */
function encodeLengths(nlit: u32, ndist: u32): u32 {
  memory.fill(CL_FREQ, 0, CL_N * 4);
  const total = nlit + ndist;
  let n: u32 = 0;
  let i: u32 = 0;
  while (i < total) {
    const l = i < nlit ? load<u8>(LIT_LEN + i) : load<u8>(DIST_LEN + i - nlit);
    let run: u32 = 1;
    while (i + run < total) {
      const j = i + run;
      const m = j < nlit ? load<u8>(LIT_LEN + j) : load<u8>(DIST_LEN + j - nlit);
      if (m != l) break;
      run++;
    }
    i += run;
    if (l == 0 && run >= 3) {
      while (run >= 3) {
        const take = run > 138 ? 138 : run;
        const sym: u32 = take >= 11 ? 18 : 17;
        store<u16>(RLE + (<usize>n << 1), <u16>(sym | ((take - (sym == 18 ? 11 : 3)) << 8)));
        n++;
        clCount(sym);
        run -= take;
      }
    } else if (l != 0 && run >= 4) {
      store<u16>(RLE + (<usize>n << 1), <u16>l);
      n++;
      clCount(l);
      run--;
      while (run >= 3) {
        const take = run > 6 ? 6 : run;
        store<u16>(RLE + (<usize>n << 1), <u16>(16 | ((take - 3) << 8)));
        n++;
        clCount(16);
        run -= take;
      }
    }
    while (run > 0) {
      store<u16>(RLE + (<usize>n << 1), <u16>l);
      n++;
      clCount(l);
      run--;
    }
  }
  return n;
}

// @ts-ignore: decorator
@inline
function clCount(sym: u32): void {
  store<u32>(CL_FREQ + (<usize>sym << 2), load<u32>(CL_FREQ + (<usize>sym << 2)) + 1);
}

/**
 * Writes the block's symbols with its codes. A symbol is at most 48 bits (a length code and its
 * extra bits, a distance code and its extra bits), so with at most 7 bits pending each symbol's
 * bits go into the 64-bit buffer at once and its whole bytes out with one unaligned 8-byte store:
 * no branch on the buffer's fill per code.
 */
function writeSymbols(): void {
  for (let i: u32 = 0; i < 256; i++) {
    store<u32>(
      LIT_ENC + (<usize>i << 2),
      <u32>load<u16>(LIT_CODE + (<usize>i << 1)) | (<u32>load<u8>(LIT_LEN + i) << 24),
    );
  }
  for (let len: u32 = 3; len <= MAX_MATCH; len++) {
    const lc = <u32>load<u8>(LEN_CODE + len - 3);
    const ls = 257 + lc;
    const codeBits = <u32>load<u8>(LIT_LEN + ls);
    const extra = <u32>load<u8>(LEN_EXTRA + lc);
    const value =
      <u32>load<u16>(LIT_CODE + (<usize>ls << 1)) |
      ((len - <u32>load<u16>(LEN_BASE + (<usize>lc << 1))) << codeBits);
    store<u32>(LENGTH_ENC + (<usize>(len - 3) << 2), value | ((codeBits + extra) << 24));
  }
  for (let dc: u32 = 0; dc < DIST_N; dc++) {
    store<u32>(
      DIST_ENC + (<usize>dc << 2),
      <u32>load<u16>(DIST_CODE_BITS + (<usize>dc << 1)) | (<u32>load<u8>(DIST_LEN + dc) << 24),
    );
  }
  flushBytes();
  let buf = bitBuf;
  let count = <u64>bitCount;
  let at = outAt;
  for (let i: u32 = 0; i < nsym; i++) {
    const s = load<u32>(SYMS + (<usize>i << 2));
    if (s < 256) {
      const e = load<u32>(LIT_ENC + (<usize>s << 2));
      buf |= <u64>(e & 0xffffff) << count;
      count += <u64>(e >>> 24);
    } else {
      const le = load<u32>(LENGTH_ENC + (<usize>((s >>> 16) - 3) << 2));
      buf |= <u64>(le & 0xffffff) << count;
      count += <u64>(le >>> 24);
      const dist = s & 0xffff;
      const dc = <u32>load<u8>(DIST_CODE + dist - 1);
      const de = load<u32>(DIST_ENC + (<usize>dc << 2));
      buf |= <u64>(de & 0xffffff) << count;
      count += <u64>(de >>> 24);
      const dx = <u64>load<u8>(DIST_EXTRA + dc);
      buf |= <u64>(dist - <u32>load<u16>(DIST_BASE + (<usize>dc << 1))) << count;
      count += dx;
    }
    store<u64>(at, buf);
    const bytes = count >>> 3;
    at += <usize>bytes;
    buf >>= bytes << 3;
    count &= 7;
  }
  bitBuf = buf;
  bitCount = <u32>count;
  outAt = at;
}

/** Writes the pending symbols as one dynamic-Huffman block. */
function flushBlock(final: bool): void {
  store<u32>(LIT_FREQ + (256 << 2), 1);
  atLeastTwo(LIT_FREQ, LIT_N);
  atLeastTwo(DIST_FREQ, DIST_N);
  buildLengths(LIT_FREQ, LIT_N, 15, LIT_LEN);
  buildLengths(DIST_FREQ, DIST_N, 15, DIST_LEN);
  let nlit = LIT_N;
  while (nlit > 257 && load<u8>(LIT_LEN + nlit - 1) == 0) nlit--;
  let ndist = DIST_N;
  while (ndist > 1 && load<u8>(DIST_LEN + ndist - 1) == 0) ndist--;
  const nrle = encodeLengths(nlit, ndist);
  atLeastTwo(CL_FREQ, CL_N);
  buildLengths(CL_FREQ, CL_N, 7, CL_LEN);
  let ncl: u32 = CL_N;
  while (ncl > 4 && load<u8>(CL_LEN + load<u8>(CL_ORDER + ncl - 1)) == 0) ncl--;
  buildCodes(LIT_LEN, LIT_N, LIT_CODE);
  buildCodes(DIST_LEN, DIST_N, DIST_CODE_BITS);
  buildCodes(CL_LEN, CL_N, CL_CODE);

  putBits(final ? 1 : 0, 1);
  putBits(2, 2);
  putBits(nlit - 257, 5);
  putBits(ndist - 1, 5);
  putBits(ncl - 4, 4);
  for (let i: u32 = 0; i < ncl; i++) putBits(load<u8>(CL_LEN + load<u8>(CL_ORDER + i)), 3);
  for (let i: u32 = 0; i < nrle; i++) {
    const r = <u32>load<u16>(RLE + (<usize>i << 1));
    const sym = r & 0xff;
    putBits(load<u16>(CL_CODE + (<usize>sym << 1)), load<u8>(CL_LEN + sym));
    if (sym == 16) putBits(r >>> 8, 2);
    else if (sym == 17) putBits(r >>> 8, 3);
    else if (sym == 18) putBits(r >>> 8, 7);
  }
  writeSymbols();
  putBits(load<u16>(LIT_CODE + (256 << 1)), load<u8>(LIT_LEN + 256));
  nsym = 0;
  memory.fill(LIT_FREQ, 0, LIT_N * 4);
  memory.fill(DIST_FREQ, 0, DIST_N * 4);
}

// @ts-ignore: decorator
@inline
function literal(b: u32): void {
  store<u32>(SYMS + (<usize>nsym << 2), b);
  nsym++;
  const f = LIT_FREQ + (<usize>b << 2);
  store<u32>(f, load<u32>(f) + 1);
  if (nsym == SYM_MAX) flushBlock(false);
}

// @ts-ignore: decorator
@inline
function match(len: u32, dist: u32): void {
  store<u32>(SYMS + (<usize>nsym << 2), (len << 16) | dist);
  nsym++;
  const f = LIT_FREQ + (<usize>(257 + <u32>load<u8>(LEN_CODE + len - 3)) << 2);
  store<u32>(f, load<u32>(f) + 1);
  const d = DIST_FREQ + (<usize>load<u8>(DIST_CODE + dist - 1) << 2);
  store<u32>(d, load<u32>(d) + 1);
  if (nsym == SYM_MAX) flushBlock(false);
}

// @ts-ignore: decorator
@inline
function hashOf(v: u32): usize {
  return <usize>((v * 0x9e3779b1) >>> (32 - HASH_BITS)) << 2;
}

/**
 * Enters position `p` in the hash table and returns the distance back to the position it held if
 * that one starts with the same four bytes within the window, else 0.
 */
// @ts-ignore: decorator
@inline
function probe(p: usize): u32 {
  const v = load<u32>(p);
  const slot = HASH + hashOf(v);
  const abs = base + <u32>(p - win);
  const c = load<u32>(slot);
  store<u32>(slot, abs + 1);
  if (c == 0) return 0;
  const dist = abs - (c - 1);
  if (dist > WINDOW || load<u32>(p - dist) != v) return 0;
  return dist;
}

/** Bytes from `p` equal to those from `q` (at least MIN_MATCH known), up to MAX_MATCH or `end`. */
// @ts-ignore: decorator
@inline
function matchLength(p: usize, q: usize, end: usize): u32 {
  const room = <u32>(end - p);
  const maxLen = room < MAX_MATCH ? room : MAX_MATCH;
  let len: u32 = MIN_MATCH;
  while (len < maxLen) {
    const x = load<u64>(p + len) ^ load<u64>(q + len);
    if (x != 0) {
      len += <u32>(ctz<u64>(x) >> 3);
      break;
    }
    len += 8;
  }
  return len < maxLen ? len : maxLen;
}

/**
 * Compresses the `n` bytes written at `inputPtr()`; with `final`, ends the stream (last block,
 * CRC-32 and length). Returns the bytes of output at `outputPtr()`.
 */
export function compress(n: u32, final: bool): u32 {
  if (base + hist + n >= REBASE_AT) {
    memory.fill(HASH, 0, 4 << HASH_BITS);
    base = 0;
  }
  const start = win + hist;
  const end = start + n;
  crc = crcUpdate(crc, start, n);
  total += n;
  // Zero padding past the input, so 8-byte compares near its end read defined bytes.
  store<u64>(end, 0);
  let p = start;
  while (p + MIN_MATCH <= end) {
    let dist = probe(p);
    if (dist == 0) {
      literal(<u32>load<u8>(p));
      p++;
      continue;
    }
    let len = matchLength(p, p - dist, end);
    // One step of lazy matching: a longer match one byte on wins over this one.
    if (len < LAZY_BELOW && p + 1 + MIN_MATCH <= end) {
      const dist1 = probe(p + 1);
      if (dist1 != 0) {
        const len1 = matchLength(p + 1, p + 1 - dist1, end);
        if (len1 > len) {
          literal(<u32>load<u8>(p));
          p++;
          len = len1;
          dist = dist1;
        }
      }
    }
    match(len, dist);
    // Entries for the positions inside a short match keep the table fresh on repeated
    // structure (a long one is a run, where the next match is found anyway).
    const stop = p + len;
    if (len <= 32 && stop + 4 <= end) {
      for (let i = p + 1; i < stop; i++) {
        store<u32>(HASH + hashOf(load<u32>(i)), base + <u32>(i - win) + 1);
      }
    }
    p = stop;
  }
  while (p < end) {
    literal(<u32>load<u8>(p));
    p++;
  }
  if (final) {
    if (nsym > 0) flushBlock(true);
    else {
      // Nothing pending: an empty fixed-Huffman block (BFINAL, BTYPE 01, end-of-block 0000000).
      putBits(1, 1);
      putBits(1, 2);
      putBits(0, 7);
    }
    if (bitCount > 0) {
      bitBuf &= (<u64>1 << bitCount) - 1;
      bitCount = (bitCount + 7) & ~7;
    }
    flushBytes();
    store<u32>(outAt, crc ^ 0xffffffff);
    store<u32>(outAt, total, 4);
    outAt += 8;
  } else {
    if (nsym > 0) flushBlock(false);
    flushBytes();
  }
  // Keep the last WINDOW bytes as history for the next chunk.
  const have = hist + n;
  const keep = have < WINDOW ? have : WINDOW;
  if (keep < have) {
    memory.copy(win, win + have - keep, keep);
    base += have - keep;
  }
  hist = keep;
  const written = <u32>(outAt - out);
  outAt = out;
  return written;
}

/** Chunk size the stream was begun with. */
export function maxChunk(): u32 {
  return maxIn;
}
