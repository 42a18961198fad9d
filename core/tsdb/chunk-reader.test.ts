import { describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../errors.ts';
import { ChunkReader, ENCODING_XOR, chunkRef, type RawChunk } from './chunk-reader.ts';
import type { ByteSource } from './source.ts';
import { ChunkSegmentWriter, type ChunkMeta } from './writer/chunk-writer.ts';
import { MemoryBlockSink } from './writer/sink.ts';

/** A segment written by the block writer with the given data (XOR encoding), and each chunk's offset. */
async function segment(datas: Uint8Array[]): Promise<{ bytes: Uint8Array; offsets: number[] }> {
  const sink = new MemoryBlockSink();
  const w = new ChunkSegmentWriter(sink);
  const chunks: ChunkMeta[] = datas.map((data, i) => ({
    minTime: i,
    maxTime: i,
    data,
    encoding: ENCODING_XOR,
    numSamples: 1,
    ref: 0,
  }));
  w.writeChunks(chunks);
  await w.close();
  return { bytes: sink.files.get('chunks/000001')!, offsets: chunks.map((c) => c.ref) };
}

/**
 * A source over bytes the test may change, which reads into buffers given back to it: what a
 * file source with a buffer pool does (sidecar-agent/tsdb/file-source.ts).
 */
class RecyclingSource implements ByteSource {
  readonly name = 'chunks/000001';
  readonly given: ArrayBufferLike[] = [];
  constructor(readonly bytes: Uint8Array) {}
  async size(): Promise<number> {
    return this.bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const reuse = this.given.pop();
    const out = reuse
      ? new Uint8Array(reuse, 0, length)
      : new Uint8Array(new ArrayBuffer(4096), 0, length);
    out.set(this.bytes.subarray(offset, offset + length));
    return out;
  }
  recycle(buffer: ArrayBufferLike): void {
    this.given.push(buffer);
  }
}

const datas = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6, 7]), new Uint8Array([8, 9])];

describe('ChunkReader.recycle', () => {
  it('gives a read buffer back to its source once, and checks the chunks read into it again', async () => {
    const { bytes, offsets } = await segment(datas);
    const src = new RecyclingSource(bytes);
    const reader = new ChunkReader(async () => src);
    const refs = offsets.map((o) => chunkRef(0, o));
    const first = await reader.chunks(refs);
    expect(first.map((c) => [...c.data])).toEqual(datas.map((d) => [...d]));
    reader.recycle(first);
    reader.recycle(first);
    expect(src.given).toHaveLength(1);
    expect(src.given[0]).toBe(first[0]!.data.buffer);

    // The same positions of the same buffer now hold other bytes: a corrupt chunk must be caught,
    // not passed as checked by the read that used the buffer before.
    src.bytes[offsets[1]! + 3] ^= 0xff;
    const err = await reader.chunks(refs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptBlockError);
    expect(String(err)).toMatch(/checksum mismatch/);
  });

  it('keeps what a source that takes nothing back returned', async () => {
    const { bytes, offsets } = await segment(datas);
    const plain: ByteSource = {
      name: 'chunks/000001',
      size: async () => bytes.length,
      read: async (o, l) => bytes.slice(o, o + l),
    };
    const reader = new ChunkReader(async () => plain);
    const got: RawChunk[] = await reader.chunks(offsets.map((o) => chunkRef(0, o)));
    reader.recycle(got);
    expect(got.map((c) => [...c.data])).toEqual(datas.map((d) => [...d]));
  });
});
