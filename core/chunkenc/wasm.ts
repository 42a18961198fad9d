/**
 * @module core/chunkenc/wasm — runtime-neutral loader for the batch XOR kernels
 * (wasm/assembly/xor.ts). Takes a compiled `WebAssembly.Module` (workerd: a CompiledWasm import;
 * Node: sidecar-agent/wasm.ts) and returns an `XorBatchCodec` that lays out the module's linear
 * memory, copies chunks in, runs one kernel call per batch and exposes the columns.
 *
 * Memory layout per decode call (all above the module's static data, 8-byte aligned):
 *   desc[n]{u32 addr, u32 len} | offsets[n+1] u32 | status[n] i32 | t[cap] f64 | v[cap] u64 |
 *   input chunks, at or above the kernel's inputGuard() (+ read slack; the kernel
 *   byte-reverses this region in place)
 * Memory only grows (to the largest batch seen); batches should be sized accordingly.
 */
import { CorruptBlockError } from '../errors.ts';
import { align8, growTo } from '../wasm-memory.ts';

/** Kernel status codes (wasm/assembly/xor.ts). */
export const XOR_STATUS = {
  OK: 0,
  TRUNCATED: -1,
  HEADER: -2,
  WINDOW: -3,
  OUTPUT: -4,
  RANGE: -5,
  INPUT: -6,
  TIMESTAMP: -7,
} as const;

const STATUS_TEXT: Record<number, string> = {
  [-1]: 'truncated chunk',
  [-2]: 'bad header or varint',
  [-3]: 'bad value window',
  [-4]: 'output region too small',
  [-5]: 'address out of range',
  [-6]: 'invalid input sample',
  [-7]: 'timestamp outside ±2^53',
};

/** Decoded columns of a batch; chunk i's samples are [offsets[i], offsets[i+1]). */
export interface DecodedBatch {
  /** Timestamps (int64 ms as numbers). */
  readonly t: Float64Array;
  /** Values, bit-exact (NaN payloads such as the stale marker kept). */
  readonly v: Float64Array;
  /** n+1 entries. */
  readonly offsets: Uint32Array;
  /** Total samples = offsets[n]. */
  readonly count: number;
}

export interface DecodeOptions {
  /**
   * Copy the columns out of WASM memory (default false). Without it the arrays are views into the
   * codec's memory, valid only until the next decode/encode call on the same codec (a later call
   * overwrites them, or detaches them if memory grows). Copy anything you keep.
   */
  readonly copy?: boolean;
}

export interface EncodeOptions {
  /** Reproduce Prometheus 2.x's trailing padding byte (default true; see XorAppender). */
  readonly legacyPadding?: boolean;
}

/** One series to encode into one chunk (at most 65535 samples, safe-integer timestamps). */
export interface SeriesSamples {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export interface XorBatchCodec {
  /** Decodes many XOR chunks, keeping samples with mint <= t <= maxt. */
  decode(
    chunks: readonly Uint8Array[],
    mint: number,
    maxt: number,
    options?: DecodeOptions,
  ): DecodedBatch;
  /**
   * Like decode, for chunks that are ranges [starts[i], starts[i]+lengths[i]) of one buffer (a
   * fetched stretch of a chunk segment): the whole buffer is copied into WASM memory at once,
   * which is cheaper than one copy per chunk. Pass only the stretch that holds the chunks.
   */
  decodeRanges(
    source: Uint8Array,
    starts: ArrayLike<number>,
    lengths: ArrayLike<number>,
    mint: number,
    maxt: number,
    options?: DecodeOptions,
  ): DecodedBatch;
  /** Encodes each series into one XOR chunk; the returned chunks are copies. */
  encode(series: readonly SeriesSamples[], options?: EncodeOptions): Uint8Array[];
}

/**
 * Some chunks of a batch were corrupt. `badChunks` lists their indexes, `statuses` has the kernel
 * status of every chunk (0 = good) and `batch` holds the good chunks' samples (bad chunks have
 * empty ranges), so a caller may keep them.
 */
export class CorruptChunkBatchError extends CorruptBlockError {
  readonly badChunks: readonly number[];
  readonly statuses: Int32Array;
  readonly batch: DecodedBatch;
  constructor(badChunks: number[], statuses: Int32Array, batch: DecodedBatch) {
    const first = badChunks[0]!;
    super(
      `xor chunk ${first}${badChunks.length > 1 ? ` (and ${badChunks.length - 1} more)` : ''} of batch: ` +
        (STATUS_TEXT[statuses[first]!] ?? `status ${statuses[first]}`),
      {},
    );
    this.badChunks = badChunks;
    this.statuses = statuses;
    this.batch = batch;
  }
}

interface XorExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  readSlack(): number;
  inputGuard(): number;
  encodeBound(n: number): number;
  decode(
    desc: number,
    n: number,
    mint: number,
    maxt: number,
    outT: number,
    outV: number,
    cap: number,
    offsets: number,
    status: number,
    inPtr: number,
    inLen: number,
  ): number;
  encode(
    desc: number,
    n: number,
    out: number,
    outCap: number,
    outDesc: number,
    flags: number,
  ): number;
  encodeErrorIndex(): number;
  pickInPlace(tPtr: number, vPtr: number, n: number, instants: number, nInstants: number): number;
}

/**
 * Instants `pickInPlace` takes (a range query has at most 11,000 steps); their region lies in
 * front of the decode layout, so picking never grows memory under the decoded columns.
 */
const MAX_PICK_INSTANTS = 16384;
const PICK_REGION = MAX_PICK_INSTANTS * 8;

/** Instantiates the XOR kernel module and wraps it. */
export async function instantiateXorCodec(module: WebAssembly.Module): Promise<XorBatchCodec> {
  const instance = await WebAssembly.instantiate(module, {});
  return new WasmXorCodec(instance.exports as unknown as XorExports);
}

class WasmXorCodec implements XorBatchCodec {
  readonly #x: XorExports;
  readonly #base: number;
  readonly #slack: number;
  readonly #guard: number;
  #u8: Uint8Array;
  #u32: Uint32Array;

  constructor(x: XorExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
    this.#slack = x.readSlack();
    this.#guard = x.inputGuard();
    this.#u8 = new Uint8Array(x.memory.buffer);
    this.#u32 = new Uint32Array(x.memory.buffer);
  }

  /** The instants last copied in for `pickInPlace` (reused while the caller passes the same). */
  #instants: Float64Array | undefined;

  /**
   * BatchDecoder.pickInPlace, in the kernel, for columns that lie in this codec's memory (a
   * series of the last decode); anything else, or more instants than the region in front of the
   * decode layout holds, is `undefined` (the caller picks in JS).
   */
  pickInPlace(t: Float64Array, v: Float64Array, instants: Float64Array): number | undefined {
    const buf = this.#x.memory.buffer;
    const n = t.length;
    if (t.buffer !== buf || v.buffer !== buf || v.length !== n) return undefined;
    if (instants.length > MAX_PICK_INSTANTS || this.#base + PICK_REGION > buf.byteLength)
      return undefined;
    if (this.#instants !== instants) {
      new Float64Array(buf, this.#base, instants.length).set(instants);
      this.#instants = instants;
    }
    const m = this.#x.pickInPlace(t.byteOffset, v.byteOffset, n, this.#base, instants.length);
    return m < 0 ? undefined : m;
  }

  #ensure(end: number): void {
    const mem = this.#x.memory;
    growTo(mem, end);
    if (this.#u8.buffer !== mem.buffer || this.#u8.byteLength !== mem.buffer.byteLength) {
      this.#u8 = new Uint8Array(mem.buffer);
      this.#u32 = new Uint32Array(mem.buffer);
    }
  }

  decode(
    chunks: readonly Uint8Array[],
    mint: number,
    maxt: number,
    options: DecodeOptions = {},
  ): DecodedBatch {
    const n = chunks.length;
    // Pass 1: output capacity from the headers (a short chunk counts 0; the kernel rejects it).
    let cap = 0;
    let inBytes = 0;
    for (let i = 0; i < n; i++) {
      const c = chunks[i]!;
      const len = c.length;
      if (len >= 2) cap += (c[0]! << 8) | c[1]!;
      inBytes += len;
    }
    this.#layout(n, cap, inBytes);
    // Pass 2: copy the chunks in back to back. (Per-chunk set() is the cost here; merging
    // neighbouring subarrays would need `.buffer`, which costs more than the copy it saves:
    // callers holding one buffer should use decodeRanges.)
    const u8 = this.#u8;
    const u32 = this.#u32;
    let p = this.#inPtr;
    let d = this.#descPtr >>> 2;
    for (let i = 0; i < n; i++) {
      const c = chunks[i]!;
      u8.set(c, p);
      u32[d++] = p;
      u32[d++] = c.length;
      p += c.length;
    }
    return this.#run(n, cap, inBytes, mint, maxt, options);
  }

  decodeRanges(
    source: Uint8Array,
    starts: ArrayLike<number>,
    lengths: ArrayLike<number>,
    mint: number,
    maxt: number,
    options: DecodeOptions = {},
  ): DecodedBatch {
    const n = starts.length;
    if (lengths.length !== n)
      throw new RangeError('decodeRanges: starts and lengths differ in length');
    const size = source.length;
    let cap = 0;
    for (let i = 0; i < n; i++) {
      const s = starts[i]!;
      // Out-of-source ranges are left to the kernel, which reports them per chunk.
      if (lengths[i]! >= 2 && s >= 0 && s + 2 <= size) cap += (source[s]! << 8) | source[s + 1]!;
    }
    this.#layout(n, cap, size);
    const u32 = this.#u32;
    const inPtr = this.#inPtr;
    this.#u8.set(source, inPtr);
    let d = this.#descPtr >>> 2;
    for (let i = 0; i < n; i++) {
      const s = starts[i]!;
      // A negative start becomes an address below the input region: rejected by the kernel.
      u32[d++] = s >= 0 ? inPtr + s : 0;
      u32[d++] = lengths[i]!;
    }
    return this.#run(n, cap, size, mint, maxt, options);
  }

  // Region addresses of the current call (see the module comment).
  #descPtr = 0;
  #offPtr = 0;
  #statusPtr = 0;
  #tPtr = 0;
  #vPtr = 0;
  #inPtr = 0;

  #layout(n: number, cap: number, inBytes: number): void {
    this.#descPtr = this.#base + PICK_REGION;
    this.#offPtr = this.#descPtr + n * 8;
    this.#statusPtr = this.#offPtr + (n + 1) * 4;
    this.#tPtr = align8(this.#statusPtr + n * 4);
    this.#vPtr = this.#tPtr + cap * 8;
    // The kernel's fast pass runs only on input above its guard address (it checks a chunk's end
    // once per chunk, and a corrupt chunk's over-reads must stay inside memory).
    this.#inPtr = Math.max(this.#vPtr + cap * 8, this.#guard);
    this.#ensure(this.#inPtr + inBytes + this.#slack);
  }

  #run(
    n: number,
    cap: number,
    inBytes: number,
    mint: number,
    maxt: number,
    options: DecodeOptions,
  ): DecodedBatch {
    const slackAt = this.#inPtr + inBytes;
    // Zero the slack so reads past the last chunk are deterministic.
    this.#u8.fill(0, slackAt, slackAt + this.#slack);
    const rc = this.#x.decode(
      this.#descPtr,
      n,
      mint,
      maxt,
      this.#tPtr,
      this.#vPtr,
      cap,
      this.#offPtr,
      this.#statusPtr,
      this.#inPtr,
      inBytes + this.#slack,
    );
    const buf = this.#x.memory.buffer;
    const count = this.#u32[(this.#offPtr >>> 2) + n]!;
    const copy = options.copy === true;
    const t = new Float64Array(buf, this.#tPtr, count);
    const v = new Float64Array(buf, this.#vPtr, count);
    const offsets = new Uint32Array(buf, this.#offPtr, n + 1);
    const batch: DecodedBatch = copy
      ? { t: t.slice(), v: v.slice(), offsets: offsets.slice(), count }
      : { t, v, offsets, count };
    if (rc < 0) {
      const statuses = new Int32Array(buf, this.#statusPtr, n).slice();
      const bad: number[] = [];
      for (let i = 0; i < n; i++) if (statuses[i] !== 0) bad.push(i);
      if (bad.length === 0) throw new CorruptBlockError(`xor batch decode: status ${rc}`, {});
      throw new CorruptChunkBatchError(bad, statuses, batch);
    }
    return batch;
  }

  encode(series: readonly SeriesSamples[], options: EncodeOptions = {}): Uint8Array[] {
    const n = series.length;
    let samples = 0;
    let outCap = 0;
    for (const s of series) {
      if (s.t.length !== s.v.length) throw new RangeError('encode: t and v lengths differ');
      samples += s.t.length;
      outCap += this.#x.encodeBound(s.t.length);
    }
    // The layout starts at the base: over the instants `pickInPlace` keeps there.
    this.#instants = undefined;
    const descPtr = this.#base;
    const outDescPtr = descPtr + n * 12;
    const dataPtr = align8(outDescPtr + n * 8);
    const outPtr = dataPtr + samples * 16;
    this.#ensure(outPtr + outCap);
    const u8 = this.#u8;
    const u32 = this.#u32;
    let p = dataPtr;
    for (let i = 0; i < n; i++) {
      const { t, v } = series[i]!;
      // Byte copies: bit-exact for every NaN payload.
      u8.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), p);
      u8.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), p + t.byteLength);
      const d = (descPtr >>> 2) + 3 * i;
      u32[d] = p;
      u32[d + 1] = p + t.byteLength;
      u32[d + 2] = t.length;
      p += t.byteLength * 2;
    }
    const flags = options.legacyPadding === false ? 0 : 1;
    const rc = this.#x.encode(descPtr, n, outPtr, outCap, outDescPtr, flags);
    if (rc < 0) {
      const idx = this.#x.encodeErrorIndex();
      throw new RangeError(`xor batch encode: series ${idx}: ${STATUS_TEXT[rc] ?? `status ${rc}`}`);
    }
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const a = u32[(outDescPtr >>> 2) + 2 * i]!;
      const len = u32[(outDescPtr >>> 2) + 2 * i + 1]!;
      out[i] = u8.slice(a, a + len);
    }
    return out;
  }
}
