/**
 * @module core/tsdb/writer/chunk-writer — writes a block's chunk segments `chunks/000001…` as
 * Prometheus's `chunks.Writer` does (spec: prometheus tsdb/docs/format/chunks.md): an 8-byte
 * header (magic 0x85BD40DD, version 1, 3 zero bytes), then per chunk uvarint(len(data)), the
 * encoding byte, the data and a CRC-32C of encoding + data. A chunk's ref is
 * `segmentIndex << 32 | offset` with the first file (000001) as segment 0. A new segment starts
 * when a series' chunks would not fit in the configured size (512 MiB by default), with the same
 * batching rule as Prometheus so multi-segment blocks split at the same chunks.
 */
import { crc32c } from '../encoding.ts';
import { SinkFile, type BlockSink } from './sink.ts';

/** Magic number of block chunk segment files (chunks.MagicChunks). */
export const MAGIC_CHUNKS = 0x85bd40dd;
export const CHUNKS_FORMAT_V1 = 1;
/** Magic + version + 3 bytes of padding. */
export const SEGMENT_HEADER_SIZE = 8;
/** chunks.DefaultChunkSegmentSize. */
export const DEFAULT_CHUNK_SEGMENT_SIZE = 512 * 1024 * 1024;
/** Upper bound of a chunk's length field (binary.MaxVarintLen32), used only for segment planning. */
const MAX_CHUNK_LENGTH_FIELD_SIZE = 5;
const TWO_32 = 2 ** 32;

/** A chunk on its way into a block: the encoded bytes and its time range. */
export interface ChunkMeta {
  minTime: number;
  maxTime: number;
  /** Encoded chunk data (for XOR: starts with the 2-byte sample count). */
  data: Uint8Array;
  encoding: number;
  numSamples: number;
  /** Set by the writer: segment index << 32 | offset. */
  ref: number;
  /**
   * CRC-32C of the encoding byte and data, when already known (a chunk copied verbatim from a
   * block whose checksums were verified on read); computed otherwise.
   */
  crc?: number;
}

export interface SegmentFile {
  /** Name relative to the block, e.g. `chunks/000001`. */
  name: string;
  size: number;
}

export function segmentName(index: number): string {
  return `chunks/${String(index + 1).padStart(6, '0')}`;
}

export class ChunkSegmentWriter {
  readonly #sink: BlockSink;
  readonly #segmentSize: number;
  #file: SinkFile | undefined;
  #seq = -1;
  /** Bytes in the current segment, header included (Prometheus's w.n); 0 before the first. */
  #n = 0;
  readonly #closed: Promise<SegmentFile>[] = [];
  /** Length field and encoding byte; then the CRC, reused for every chunk. */
  readonly #hdr = new Uint8Array(6);
  readonly #tail = new Uint8Array(4);

  constructor(sink: BlockSink, options: { segmentSize?: number } = {}) {
    this.#sink = sink;
    this.#segmentSize = options.segmentSize ?? DEFAULT_CHUNK_SEGMENT_SIZE;
  }

  /** Writes one series' chunks (sets each `ref`). Call `drain()` between series. */
  writeChunks(chks: readonly ChunkMeta[]): void {
    // Plan batches exactly as chunks.Writer.WriteChunks: a batch never straddles segments.
    const batches: number[] = [0]; // start index of each batch
    let batchSize = 0;
    let firstBatch = true;
    for (let i = 0; i < chks.length; i++) {
      const size = MAX_CHUNK_LENGTH_FIELD_SIZE + 1 + chks[i]!.data.length + 4;
      batchSize += size;
      let cut = i !== 0 && batchSize + SEGMENT_HEADER_SIZE > this.#segmentSize;
      if (firstBatch && this.#n > SEGMENT_HEADER_SIZE) {
        cut = batchSize + this.#n > this.#segmentSize;
        if (cut) firstBatch = false;
      }
      if (cut) {
        batches.push(i);
        batchSize = size;
      }
    }
    if (this.#n === 0) this.#cut();
    for (let b = 0; b < batches.length; b++) {
      const end = b + 1 < batches.length ? batches[b + 1]! : chks.length;
      for (let i = batches[b]!; i < end; i++) this.#write(chks[i]!);
      if (b < batches.length - 1) this.#cut();
    }
  }

  #write(c: ChunkMeta): void {
    const f = this.#file!;
    c.ref = this.#seq * TWO_32 + this.#n;
    const h = this.#hdr;
    let len = c.data.length;
    let k = 0;
    while (len >= 0x80) {
      h[k++] = (len & 0x7f) | 0x80;
      len >>>= 7;
    }
    h[k++] = len;
    h[k++] = c.encoding;
    f.write(h.subarray(0, k));
    f.write(c.data);
    const crc = c.crc ?? crc32c(c.data, crc32c(h, 0, k - 1, k));
    const tail = this.#tail;
    tail[0] = crc >>> 24;
    tail[1] = crc >>> 16;
    tail[2] = crc >>> 8;
    tail[3] = crc;
    f.write(tail);
    this.#n += k + c.data.length + 4;
  }

  #cut(): void {
    if (this.#file) this.#closeCurrent();
    this.#seq++;
    this.#file = new SinkFile(this.#sink, segmentName(this.#seq));
    const hdr = new Uint8Array(SEGMENT_HEADER_SIZE);
    new DataView(hdr.buffer).setUint32(0, MAGIC_CHUNKS);
    hdr[4] = CHUNKS_FORMAT_V1;
    this.#file.write(hdr);
    this.#n = SEGMENT_HEADER_SIZE;
  }

  #closeCurrent(): void {
    const f = this.#file!;
    const p = f.close().then((size) => ({ name: f.name, size }));
    p.catch(() => {});
    this.#closed.push(p);
    this.#file = undefined;
  }

  async drain(): Promise<void> {
    await this.#file?.drain();
  }

  /** Finishes the last segment; returns every segment written (none for an empty block). */
  async close(): Promise<SegmentFile[]> {
    if (this.#file) this.#closeCurrent();
    return Promise.all(this.#closed);
  }

  async abort(reason?: unknown): Promise<void> {
    await this.#file?.abort(reason);
    await Promise.allSettled(this.#closed);
  }
}
