/**
 * Corrupt blocks: a real promtool-written block with one defect each — truncated index, wrong
 * magic, checksum mismatches, out-of-range offsets and refs (with valid checksums, so the range
 * checks themselves are exercised), corrupt meta.json and tombstones. Each must fail with a
 * CorruptBlockError naming the block ULID, the file and the offset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptBlockError, NotFoundError } from '../../../core/errors.ts';
import { Block } from '../../../core/tsdb/block-reader.ts';
import { SEGMENT_HEADER_LEN, chunkRef } from '../../../core/tsdb/chunk-reader.ts';
import { installCrc32cKernel } from '../../../core/tsdb/crc32c.ts';
import { loadCrc32cKernelNode } from '../../../sidecar-agent/wasm.ts';
import { Decbuf, Encbuf, crc32c } from '../../../core/tsdb/encoding.ts';
import { MAGIC_TOMBSTONES } from '../../../core/tsdb/tombstones.ts';
import { decodeSeriesSamples } from '../../../core/tsdb/series-samples.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import {
  cloneFiles,
  loadBlockFiles,
  memoryBlockDir,
  readEverything,
  type BlockFiles,
} from '../../helpers/block-dir.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let id: string;
let orig: BlockFiles;
let total: number;

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-corrupt-');
  const gen = generateOpenMetrics({ seed: 7, hours: 1, scale: 0.1 });
  const made = await promtoolCreateBlocks(gen.text, tmp.path);
  expect(made.blocks.length).toBe(1);
  id = made.blocks[0]!;
  orig = await loadBlockFiles(`${made.db}/${id}`);
  total = gen.samples;
});

afterAll(async () => {
  await tmp?.remove();
});

async function expectCorrupt(
  p: Promise<unknown>,
  file: string,
  offset?: number,
  hasOffset = file !== 'meta.json',
): Promise<CorruptBlockError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CorruptBlockError);
  const c = err as CorruptBlockError;
  expect(c.location.block).toBe(id);
  expect(c.location.file).toBe(file);
  if (offset !== undefined) expect(c.location.offset).toBe(offset);
  else if (hasOffset) expect(typeof c.location.offset).toBe('number');
  expect(c.message).toContain(id);
  return c;
}

function mutate(fn: (f: BlockFiles) => void): BlockFiles {
  const f = cloneFiles(orig);
  fn(f);
  return f;
}

const be32 = (b: Uint8Array, p: number) => new Decbuf(b, p).be32();
const putBe32 = (b: Uint8Array, p: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(p, v);
/** TOC fields of the index (offsets of sections). */
const toc = (ix: Uint8Array) => {
  const d = new Decbuf(ix, ix.length - 52);
  return {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelTable: d.be64(),
    postings: d.be64(),
    postingsTable: d.be64(),
  };
};
const fixTocCrc = (ix: Uint8Array) =>
  putBe32(ix, ix.length - 4, crc32c(ix, 0, ix.length - 52, ix.length - 4));

describe('corrupt blocks', () => {
  it('the intact block reads completely', async () => {
    expect(await readEverything(memoryBlockDir(orig), id)).toBe(total);
  });

  it('truncated index', async () => {
    const f = mutate((f) =>
      f.set('index', f.get('index')!.slice(0, Math.floor(f.get('index')!.length / 2))),
    );
    const e = await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index');
    expect(e.message).toMatch(/TOC/);
  });

  it('index shorter than header and TOC', async () => {
    await expectCorrupt(
      readEverything(
        memoryBlockDir(mutate((f) => f.set('index', f.get('index')!.slice(0, 20)))),
        id,
      ),
      'index',
      0,
    );
  });

  it('wrong index magic', async () => {
    const f = mutate((f) => (f.get('index')![0] ^= 0xff));
    await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index', 0);
  });

  it('unsupported index version', async () => {
    const f = mutate((f) => (f.get('index')![4] = 1));
    await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index', 4);
  });

  it('TOC checksum mismatch', async () => {
    const f = mutate((f) => (f.get('index')![f.get('index')!.length - 20] ^= 1));
    await expectCorrupt(
      readEverything(memoryBlockDir(f), id),
      'index',
      orig.get('index')!.length - 52,
    );
  });

  it('TOC section offset past the file (valid checksum)', async () => {
    const f = mutate((f) => {
      const ix = f.get('index')!;
      new DataView(ix.buffer).setBigUint64(ix.length - 52 + 8, BigInt(ix.length + 100));
      fixTocCrc(ix);
    });
    const e = await expectCorrupt(
      readEverything(memoryBlockDir(f), id),
      'index',
      orig.get('index')!.length - 52,
    );
    expect(e.message).toMatch(/series offset .* out of range/);
  });

  it('symbol table checksum mismatch', async () => {
    const f = mutate((f) => (f.get('index')![5 + 4 + 4 + 3] ^= 0x20));
    const e = await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index', 5);
    expect(e.message).toMatch(/symbols: checksum/);
  });

  it('series entry checksum mismatch', async () => {
    const ix = orig.get('index')!;
    const first = Math.ceil(toc(ix).series / 16) * 16;
    const f = mutate((f) => (f.get('index')![first + 3] ^= 0x01));
    const e = await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index', first);
    expect(e.message).toMatch(/series: checksum/);
  });

  it('series entry checksum mismatch mid-section, with and without the WASM CRC kernel (batched)', async () => {
    // The 30th entry (entries are 16-byte aligned): its read's entries are checked in one batch.
    const ix = orig.get('index')!;
    let at = Math.ceil(toc(ix).series / 16) * 16;
    for (let k = 0; k < 30; k++) {
      const d = new Decbuf(ix, at);
      const len = d.uvarint();
      at = Math.ceil((d.pos + len + 4) / 16) * 16;
    }
    expect(at).toBeLessThan(toc(ix).labelIndices);
    const f = mutate((f) => (f.get('index')![at + 4] ^= 0x01));
    const kernel = await loadCrc32cKernelNode();
    for (const installed of [undefined, kernel]) {
      installCrc32cKernel(installed, 0);
      try {
        const e = await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index', at);
        expect(e.message).toMatch(/read series: checksum mismatch/);
        expect(await readEverything(memoryBlockDir(orig), id)).toBe(total);
      } finally {
        installCrc32cKernel(undefined);
      }
    }
  });

  it('postings list checksum mismatch', async () => {
    const ix = orig.get('index')!;
    const p = toc(ix).postings;
    const f = mutate((f) => (f.get('index')![p + 9] ^= 0x01));
    await expectCorrupt(readEverything(memoryBlockDir(f), id), 'index', p);
  });

  it('postings offset out of range (valid checksum)', async () => {
    const f = mutate((f) => {
      const ix = f.get('index')!;
      const pt = toc(ix).postingsTable;
      const len = be32(ix, pt);
      // First entry: n=2, "" , "", offset uvarint: overwrite the offset with an equally long huge one.
      let p = pt + 4 + 4 + 3;
      while (ix[p]! >= 0x80) ix[p++] = 0xff;
      ix[p] = 0x7f;
      putBe32(ix, pt + 4 + len, crc32c(ix, 0, pt + 4, pt + 4 + len));
    });
    const e = await expectCorrupt(
      readEverything(memoryBlockDir(f), id),
      'index',
      toc(orig.get('index')!).postingsTable + 8,
    );
    expect(e.message).toMatch(/postings offset .* out of range/);
  });

  it('series ref out of range', async () => {
    const b = await Block.open(memoryBlockDir(orig), { id });
    await expectCorrupt(b.index.series(1e9), 'index', 16e9);
    await expectCorrupt(b.index.series(1), 'index', 16);
    await expectCorrupt(b.index.seriesBatch([Number.NaN]), 'index');
  });

  it('chunk ref out of range or into a missing segment', async () => {
    const b = await Block.open(memoryBlockDir(orig), { id });
    await expectCorrupt(b.chunks.chunk(chunkRef(0, 1e9)), 'chunks/000001', 1e9);
    await expectCorrupt(b.chunks.chunk(chunkRef(0, 3)), 'chunks/000001', 3);
    await expectCorrupt(b.chunks.chunk(chunkRef(7, 8)), 'chunks/000008', 8);
  });

  it('chunk checksum mismatch', async () => {
    const f = mutate((f) => (f.get('chunks/000001')![8 + 2 + 1 + 4] ^= 0x10));
    const e = await expectCorrupt(readEverything(memoryBlockDir(f), id), 'chunks/000001', 8);
    expect(e.message).toMatch(/checksum/);
  });

  it('chunk checksum mismatch mid-segment, with and without the WASM CRC kernel (batched)', async () => {
    // The 40th chunk's offset: chunks are checked in batches per read, the error must still name it.
    const seg = orig.get('chunks/000001')!;
    let at = SEGMENT_HEADER_LEN;
    for (let k = 0; k < 40; k++) {
      const d = new Decbuf(seg, at);
      const len = d.uvarint();
      at = d.pos + 1 + len + 4;
    }
    expect(at).toBeLessThan(seg.length);
    const f = mutate((f) => (f.get('chunks/000001')![at + 3] ^= 0x01));
    const kernel = await loadCrc32cKernelNode();
    for (const installed of [undefined, kernel]) {
      installCrc32cKernel(installed, 0);
      try {
        const e = await expectCorrupt(readEverything(memoryBlockDir(f), id), 'chunks/000001', at);
        expect(e.message).toMatch(/chunk checksum mismatch/);
        // The intact block reads through the same path.
        expect(await readEverything(memoryBlockDir(orig), id)).toBe(total);
      } finally {
        installCrc32cKernel(undefined);
      }
    }
  });

  it('checks a chunk range kept in memory once, and bytes read afresh every time', async () => {
    const kernel = await loadCrc32cKernelNode();
    let checked = 0;
    installCrc32cKernel(
      {
        crc32c: (b, init, start, end) => kernel.crc32c(b, init, start, end),
        crc32cRanges: (b, starts, ends, out) => {
          checked += starts.length;
          kernel.crc32cRanges(b, starts, ends, out);
        },
      },
      0,
    );
    try {
      // Every chunk of the segment, walked by its length fields.
      const seg = orig.get('chunks/000001')!;
      const refs: number[] = [];
      for (let at = SEGMENT_HEADER_LEN; at < seg.length;) {
        refs.push(chunkRef(0, at));
        const d = new Decbuf(seg, at);
        const len = d.uvarint();
        at = d.pos + 1 + len + 4;
      }
      // Each read of this block's files returns views of the same memory, as a kept range does.
      const kept = await Block.open(memoryBlockDir(cloneFiles(orig)), { id });
      expect((await kept.chunks.chunks(refs)).length).toBe(refs.length);
      // (A chunk longer than the read-ahead is joined from a second read, checked on its own.)
      const first = checked;
      expect(first).toBeGreaterThan(refs.length * 0.9);
      expect((await kept.chunks.chunks(refs)).length).toBe(refs.length);
      expect(checked).toBe(first);
      // The same bytes in other memory (fetched again) are checked again, and a flipped bit found.
      const again = await Block.open(memoryBlockDir(cloneFiles(orig)), { id });
      expect((await again.chunks.chunks(refs)).length).toBe(refs.length);
      expect(checked).toBe(2 * first);
      const f = mutate((f) => (f.get('chunks/000001')![8 + 2 + 1 + 4] ^= 0x10));
      const bad = await Block.open(memoryBlockDir(f), { id });
      await expectCorrupt(bad.chunks.chunks(refs), 'chunks/000001', 8);
    } finally {
      installCrc32cKernel(undefined);
    }
  });

  it('truncated chunk segment', async () => {
    const seg = orig.get('chunks/000001')!;
    const f = mutate((f) => f.set('chunks/000001', seg.slice(0, seg.length - 7)));
    await expectCorrupt(readEverything(memoryBlockDir(f), id), 'chunks/000001');
  });

  it('wrong chunk segment magic', async () => {
    const f = mutate((f) => (f.get('chunks/000001')![1] ^= 0xff));
    await expectCorrupt(readEverything(memoryBlockDir(f), id), 'chunks/000001', 0);
  });

  it('corrupt XOR data behind a valid checksum names the chunk', async () => {
    const f = mutate((f) => {
      const seg = f.get('chunks/000001')!;
      const d = new Decbuf(seg, 8);
      const len = d.uvarint();
      const enc = d.pos;
      seg[enc + 1] = 0xff; // sample count 0xff.. far beyond the chunk
      putBe32(seg, enc + 1 + len, crc32c(seg, 0, enc, enc + 1 + len));
    });
    await expectCorrupt(readEverything(memoryBlockDir(f), id), 'chunks/000001', 8);
  });

  it('corrupt meta.json', async () => {
    for (const bad of ['{"ulid": ', '{}', '[1,2]', '\u0000\u0001']) {
      const f = mutate((f) => f.set('meta.json', new TextEncoder().encode(bad)));
      await expectCorrupt(readEverything(memoryBlockDir(f), id), 'meta.json');
    }
    // Without meta.json a block does not exist (the shipper uploads it last).
    const missing = mutate((f) => f.delete('meta.json'));
    await expect(readEverything(memoryBlockDir(missing), id)).rejects.toBeInstanceOf(NotFoundError);
    const noIndex = mutate((f) => f.delete('index'));
    await expectCorrupt(readEverything(memoryBlockDir(noIndex), id), 'index', undefined, false);
  });

  it('tombstones: corrupt file fails, valid file deletes samples', async () => {
    const bad = mutate((f) =>
      f.set('tombstones', new Uint8Array([0x01, 0x30, 0xba, 0x30, 1, 5, 0, 0, 0, 0, 0])),
    );
    await expectCorrupt(readEverything(memoryBlockDir(bad), id), 'tombstones');

    const b0 = await Block.open(memoryBlockDir(orig), { id });
    const ref = (await b0.index.allPostings())[0]!;
    const before = await firstSeriesSamples(b0);
    const mid = before.t[Math.floor(before.t.length / 2)]!;
    const e = new Encbuf();
    e.putBE32(MAGIC_TOMBSTONES);
    e.putByte(1);
    const start = e.length;
    e.putUvarint(ref);
    e.putVarint64(-(2n ** 63n)); // math.MinInt64, as a delete without start writes
    e.putVarint(mid);
    e.putBE32(crc32c(e.get(), 0, start));
    const f = mutate((f) => f.set('tombstones', e.get().slice()));
    const b1 = await Block.open(memoryBlockDir(f), { id });
    const after = await firstSeriesSamples(b1);
    expect(after.t).toEqual(before.t.filter((t) => t > mid));
  });
});

async function firstSeriesSamples(b: Block): Promise<{ t: number[] }> {
  for await (const s of b.select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity)) {
    const x = decodeSeriesSamples(s, -Infinity, Infinity, b.id);
    return { t: Array.from(x.t.subarray(0, x.length)) };
  }
  throw new Error('no series');
}
