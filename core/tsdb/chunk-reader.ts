/**
 * @module core/tsdb/chunk-reader — reads chunks from a block's segment files (`chunks/000001`…)
 * through range reads. A chunk ref is `segment sequence << 32 | offset`; each chunk is
 * `len <uvarint> | encoding <1b> | data | CRC32C(encoding, data) <4b>`. Chunk lengths are not in
 * the index, so a batch reads each coalesced range plus a read-ahead for its last chunk, and
 * re-reads the rare chunk longer than that. Spec: prometheus tsdb/docs/format/chunks.md.
 */
import { CorruptBlockError, NotFoundError } from '../errors.ts';
import { Decbuf, crc32c, crc32cRanges } from './encoding.ts';
import { SizeSampler, planReads } from './read-planner.ts';
import { readChecked, type ByteSource, type ReadStats } from './source.ts';

export const MAGIC_CHUNKS = 0x85bd40dd;
export const CHUNKS_FORMAT_V1 = 1;
/** magic <4b> + version <1b> + padding <3b>. */
export const SEGMENT_HEADER_LEN = 8;

/** Chunks a cold reader reads first to learn chunk sizes before planning coalesced reads. */
const PROBE_CHUNKS = 8;
/** Go's binary.MaxVarintLen32: the chunk length field is at most 5 bytes. */
const MAX_LEN_FIELD = 5;
const TWO_32 = 0x1_0000_0000;

/** Chunk encodings (prometheus tsdb/chunkenc). */
export const ENCODING_NONE = 0;
export const ENCODING_XOR = 1;
export const ENCODING_HISTOGRAM = 2;
export const ENCODING_FLOAT_HISTOGRAM = 3;

/**
 * Chunks whose checksum passed, by the byte they start at in the memory that holds them (a bit
 * per byte of an ArrayBuffer: exact, so a ref into the middle of a checked chunk is still
 * checked). Read bytes are never written afterwards (ByteSource.read), so a range the isolate
 * keeps in memory (core/block/range-cache.ts) is the same bytes each time it is read again: its
 * chunks are not checked again. Bytes read afresh (the
 * Cache API, the bucket) are new buffers, checked as always; the bits go with their buffer.
 */
const verified = new WeakMap<ArrayBufferLike, Uint8Array>();

function checkedBefore(buf: Uint8Array, p: number): boolean {
  const bits = verified.get(buf.buffer);
  if (bits === undefined) return false;
  const at = buf.byteOffset + p;
  return (bits[at >>> 3]! & (1 << (at & 7))) !== 0;
}

function markChecked(buf: Uint8Array, positions: readonly number[]): void {
  if (positions.length === 0) return;
  let bits = verified.get(buf.buffer);
  if (bits === undefined) {
    bits = new Uint8Array(Math.ceil(buf.buffer.byteLength / 8));
    verified.set(buf.buffer, bits);
  }
  for (const p of positions) {
    const at = buf.byteOffset + p;
    bits[at >>> 3]! |= 1 << (at & 7);
  }
}

/** Chunks of one read whose checksums are still to be verified (segment offset, range, stored CRC). */
interface Pending {
  readonly at: number[];
  /** Where each chunk starts in the read buffer (its length field). */
  readonly positions: number[];
  readonly starts: number[];
  readonly ends: number[];
  readonly want: number[];
}

export interface RawChunk {
  readonly ref: number;
  readonly encoding: number;
  /** Chunk data without length, encoding and checksum (a view into the read buffer). */
  readonly data: Uint8Array;
  /** The chunk's CRC-32C (of encoding and data), as stored and verified. */
  readonly crc: number;
}

/** `chunks/000001` for sequence 0, as Prometheus names segments. */
export function segmentName(seq: number): string {
  return `chunks/${String(seq + 1).padStart(6, '0')}`;
}

export function chunkRef(seq: number, offset: number): number {
  return seq * TWO_32 + offset;
}

export interface ChunkReaderOptions {
  block?: string;
  /** Bytes read past the last chunk of a range, guessing its length (default 2 KiB). */
  readAhead?: number;
  /** Chunks closer than this are read together (default 16 KiB). */
  maxGap?: number;
  /** Largest single coalesced read (default 8 MiB). */
  maxRead?: number;
  /**
   * Read and check each segment's 8-byte header before its first chunk (default true). An object
   * store pays a request for it; each chunk's own CRC32C still catches corruption without it.
   */
  verifySegmentHeaders?: boolean;
}

interface Segment {
  src: ByteSource;
  size: number;
}

export class ChunkReader {
  readonly #open: (name: string) => Promise<ByteSource>;
  readonly #block: string | undefined;
  /**
   * Segments opened so far. Only settled opens are kept: an open in flight may belong to a request
   * that ends before it does (a Worker cancels that request's I/O), and must not strand others.
   */
  readonly #segments = new Map<number, Segment | Error>();
  readonly #readAhead: number;
  readonly #maxGap: number;
  readonly #maxRead: number;
  readonly #verifyHeaders: boolean;
  /** Buffers read from a source that takes them back (ByteSource.recycle), by that source. */
  readonly #lent = new WeakMap<ArrayBufferLike, ByteSource>();

  constructor(open: (name: string) => Promise<ByteSource>, opts: ChunkReaderOptions = {}) {
    this.#open = open;
    this.#block = opts.block;
    this.#readAhead = opts.readAhead ?? 2048;
    this.#maxGap = opts.maxGap ?? 16 * 1024;
    this.#maxRead = opts.maxRead ?? 8 * 1024 * 1024;
    this.#verifyHeaders = opts.verifySegmentHeaders ?? true;
  }

  /** Opens a segment (once it succeeds) and checks its header. */
  async #segment(seq: number): Promise<Segment> {
    const known = this.#segments.get(seq);
    if (known instanceof Error) throw known;
    if (known) return known;
    try {
      const seg = await this.#openSegment(seq);
      this.#segments.set(seq, seg);
      return seg;
    } catch (err) {
      // The block is immutable: a corrupt or missing segment stays so. Other failures may pass.
      if (err instanceof CorruptBlockError || err instanceof NotFoundError)
        this.#segments.set(seq, err);
      throw err;
    }
  }

  async #openSegment(seq: number): Promise<Segment> {
    const src = await this.#open(segmentName(seq));
    const size = await src.size();
    if (!this.#verifyHeaders) {
      if (size < SEGMENT_HEADER_LEN)
        throw this.#corrupt(src.name, 0, `chunk segment too small (${size} bytes)`);
      return { src, size };
    }
    const h = new Decbuf(
      await readChecked(
        src,
        size,
        0,
        Math.min(SEGMENT_HEADER_LEN, size),
        this.#block,
        'read chunk segment header',
      ),
    );
    const magic = h.be32();
    const version = h.byte();
    if (h.err) throw this.#corrupt(src.name, 0, `chunk segment too small (${size} bytes)`);
    if (magic !== MAGIC_CHUNKS)
      throw this.#corrupt(src.name, 0, `invalid chunk segment magic 0x${magic.toString(16)}`);
    if (version !== CHUNKS_FORMAT_V1)
      throw this.#corrupt(src.name, 4, `unsupported chunk segment version ${version}`);
    return { src, size };
  }

  #corrupt(file: string, offset: number, msg: string): CorruptBlockError {
    return new CorruptBlockError(msg, { block: this.#block, file, offset });
  }

  /**
   * The caller is done with these chunks' bytes and keeps no view of them: buffers this reader
   * read them into go back to their source to be read into again. Their checks are forgotten.
   */
  recycle(chunks: Iterable<{ readonly data: Uint8Array }>): void {
    for (const c of chunks) {
      const buffer = c.data.buffer;
      const src = this.#lent.get(buffer);
      if (src === undefined) continue;
      this.#lent.delete(buffer);
      verified.delete(buffer);
      src.recycle!(buffer);
    }
  }

  async chunk(ref: number): Promise<RawChunk> {
    return (await this.chunks([ref]))[0]!;
  }

  /** Chunks for `refs` (any order; result in the same order), coalescing nearby reads. */
  /**
   * `lengths[i]`, when above 0, is chunk i's exact size in the segment (length field, encoding,
   * data and CRC): the caller knows it where the series' next chunk follows it directly.
   */
  async chunks(
    refs: ArrayLike<number>,
    stats?: ReadStats,
    lengths?: ArrayLike<number>,
  ): Promise<RawChunk[]> {
    const n = refs.length;
    const out = new Array<RawChunk>(n);
    const bySeg = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const ref = refs[i]!;
      if (!Number.isSafeInteger(ref) || ref < 0)
        throw this.#corrupt('chunks', 0, `invalid chunk ref ${ref}`);
      const seq = Math.floor(ref / TWO_32);
      let l = bySeg.get(seq);
      if (!l) bySeg.set(seq, (l = []));
      l.push(i);
    }
    await Promise.all(
      [...bySeg].map(async ([seq, idx]) => {
        const off = (i: number): number => refs[i]! % TWO_32;
        const seg = await this.#segment(seq).catch((err: unknown) => {
          // A ref into a segment that does not exist is a corrupt ref, not a storage failure.
          if (err instanceof NotFoundError)
            throw this.#corrupt(
              segmentName(seq),
              off(idx[0]!),
              `chunk ref ${refs[idx[0]!]} refers to a missing segment`,
            );
          throw err;
        });
        idx.sort((a, b) => off(a) - off(b));
        for (const i of idx) {
          const o = off(i);
          if (o < SEGMENT_HEADER_LEN || o >= seg.size) {
            throw this.#corrupt(
              seg.src.name,
              o,
              `chunk ref ${refs[i]} offset out of range (segment of ${seg.size} bytes)`,
            );
          }
        }
        // Sizes are learned per call, so the same request always makes the same reads (and hits
        // the range caches the second time). Sizes the caller knows count first.
        const sizes = new SizeSampler();
        const known = (i: number): number | undefined => {
          const n = lengths?.[i] ?? 0;
          return n > 0 ? n : undefined;
        };
        for (const i of idx) {
          const n = known(i);
          if (n !== undefined) sizes.add(n);
        }

        let rest = idx;
        if (idx.length > 2 * PROBE_CHUNKS && sizes.count < PROBE_CHUNKS / 2) {
          // Read a few chunks first to learn this block's chunk sizes, then plan the rest.
          const probe = idx.slice(0, PROBE_CHUNKS);
          rest = idx.slice(PROBE_CHUNKS);
          await Promise.all(
            this.#groups(probe, off, seg.size, sizes, known).map((g) =>
              this.#readGroup(seg, g.members, g.end, refs, off, out, sizes, stats),
            ),
          );
        }
        await Promise.all(
          this.#groups(rest, off, seg.size, sizes, known).map((g) =>
            this.#readGroup(seg, g.members, g.end, refs, off, out, sizes, stats),
          ),
        );
      }),
    );
    return out;
  }

  /** Coalesced reads for sorted chunk offsets: chunk lengths are unknown, guessed from those seen. */
  #groups(
    idx: number[],
    off: (i: number) => number,
    size: number,
    sizes: SizeSampler,
    known: (i: number) => number | undefined,
  ): { members: number[]; end: number }[] {
    const guess = sizes.median(Math.min(this.#readAhead, 512));
    // Generous enough that most chunks need no second read; never more than the configured read-ahead.
    const ahead = Math.min(this.#readAhead, Math.ceil(guess * 1.5) + 16);
    return planReads(idx, off, known, {
      ahead,
      guess,
      maxGap: this.#maxGap,
      maxRead: this.#maxRead,
      limit: size,
    }).map((r) => ({
      members: r.items,
      end: r.end,
    }));
  }

  async #readGroup(
    seg: Segment,
    g: number[],
    end: number,
    refs: ArrayLike<number>,
    off: (i: number) => number,
    out: RawChunk[],
    sizes: SizeSampler,
    stats: ReadStats | undefined,
  ): Promise<void> {
    const start = off(g[0]!);
    const buf = await readChecked(
      seg.src,
      seg.size,
      start,
      end - start,
      this.#block,
      'read chunks',
      stats,
    );
    if (seg.src.recycle) this.#lent.set(buf.buffer, seg.src);
    // Checksums of chunks parsed from `buf` are verified together after the loop (one kernel call
    // for the group when a CRC kernel is installed: chunks are mostly too small to repay a call
    // each); chunks joined from a second read are verified as they are parsed.
    const pending: Pending = { at: [], positions: [], starts: [], ends: [], want: [] };
    try {
      await this.#parseGroup(seg, buf, start, end, g, refs, off, out, sizes, stats, pending);
    } catch (err) {
      // An earlier chunk's checksum failure is what a chunk-by-chunk check would have reported.
      this.#verify(seg, buf, pending);
      throw err;
    }
    this.#verify(seg, buf, pending);
  }

  /** Throws for the first chunk in `p` whose checksum differs from the stored one. */
  #verify(seg: Segment, buf: Uint8Array, p: Pending): void {
    const got = crc32cRanges(buf, p.starts, p.ends);
    for (let k = 0; k < got.length; k++)
      if (got[k] !== p.want[k])
        throw this.#corrupt(seg.src.name, p.at[k]!, 'chunk checksum mismatch');
    markChecked(buf, p.positions);
  }

  async #parseGroup(
    seg: Segment,
    buf: Uint8Array,
    start: number,
    end: number,
    g: number[],
    refs: ArrayLike<number>,
    off: (i: number) => number,
    out: RawChunk[],
    sizes: SizeSampler,
    stats: ReadStats | undefined,
    pending: Pending,
  ): Promise<void> {
    for (const i of g) {
      const o = off(i);
      let c = this.#parse(seg, buf, o - start, o, refs[i]!, end >= seg.size, pending);
      // Longer than the read-ahead: read only the missing tail and join it to what we have.
      for (let tries = 0; typeof c === 'number'; tries++) {
        if (tries === 2) throw this.#corrupt(seg.src.name, o, 'incomplete chunk');
        const have = Math.max(0, Math.min(end - o, c));
        const tail = await readChecked(
          seg.src,
          seg.size,
          o + have,
          c - have,
          this.#block,
          'read chunk',
          stats,
        );
        const whole = new Uint8Array(c);
        whole.set(buf.subarray(o - start, o - start + have));
        whole.set(tail, have);
        c = this.#parse(seg, whole, 0, o, refs[i]!, o + c >= seg.size);
      }
      out[i] = c;
      sizes.add(c.data.length + 6);
    }
  }

  /**
   * Parses the chunk at `buf[p]` (segment offset `o`); returns the bytes needed if `buf` is short.
   * Verifies its checksum now, or with `pending` leaves that to the caller (`#verify`).
   */
  #parse(
    seg: Segment,
    buf: Uint8Array,
    p: number,
    o: number,
    ref: number,
    atEnd: boolean,
    pending?: Pending,
  ): RawChunk | number {
    const d = new Decbuf(buf, p, Math.min(buf.length, p + MAX_LEN_FIELD));
    const len = d.uvarint();
    if (d.err) {
      if (!atEnd && d.err === 'invalid size' && buf.length - p < MAX_LEN_FIELD)
        return Math.min(MAX_LEN_FIELD, seg.size - o);
      throw this.#corrupt(seg.src.name, o, `read chunk length: ${d.err}`);
    }
    const lenBytes = d.pos - p;
    const total = lenBytes + 1 + len + 4;
    if (total > buf.length - p) {
      if (!atEnd && o + total <= seg.size) return total;
      throw this.#corrupt(
        seg.src.name,
        o,
        `chunk length ${len} exceeds segment of ${seg.size} bytes`,
      );
    }
    const es = p + lenBytes; // encoding byte, then data
    const c = es + 1 + len; // big-endian CRC-32C
    const want = ((buf[c]! << 24) | (buf[c + 1]! << 16) | (buf[c + 2]! << 8) | buf[c + 3]!) >>> 0;
    if (pending !== undefined) {
      if (checkedBefore(buf, p))
        return { ref, encoding: buf[es]!, data: buf.subarray(es + 1, c), crc: want };
      pending.at.push(o);
      pending.positions.push(p);
      pending.starts.push(es);
      pending.ends.push(c);
      pending.want.push(want);
    } else if (crc32c(buf, 0, es, c) !== want) {
      throw this.#corrupt(seg.src.name, o, 'chunk checksum mismatch');
    }
    return { ref, encoding: buf[es]!, data: buf.subarray(es + 1, c), crc: want };
  }
}
