/**
 * Index headers on blocks written by our block writer: building them in few reads, opening an
 * IndexReader from one with no read (and, with the inline index, reading nothing ever), answers
 * identical to `IndexReader.open`, and every defect of a header a CorruptBlockError (a seeded
 * fuzz of thousands of mutations; HEADER_FUZZ_ITERATIONS / HEADER_FUZZ_SEED override it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../../../core/errors.ts';
import { Random } from '../../helpers/random.ts';
import { clusterSamples, clusterSeries } from '../../fixtures/cluster-series.ts';
import { CountingSource, expectSameAnswers, tick } from '../../helpers/index-header.ts';
import { crc32c } from '../../../core/tsdb/crc32c.ts';
import { Decbuf } from '../../../core/tsdb/encoding.ts';
import {
  DEFAULT_INLINE_BELOW,
  INDEX_HEADER_FILENAME,
  MAGIC_INDEX_HEADER,
  buildIndexHeader,
  decodeIndexHeader,
  encodeIndexHeader,
  tailGuess,
} from '../../../core/tsdb/index-header.ts';
import { IndexReader } from '../../../core/tsdb/index-reader.ts';
import { MemorySource } from '../../../core/tsdb/source.ts';
import { MemoryBlockSink, writeBlock, type SinkData } from '../../../core/tsdb/writer/index.ts';

const ITERATIONS = Number(process.env.HEADER_FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.HEADER_FUZZ_SEED ?? 4321);
const T0 = 1_700_000_000_000;
const H2 = 2 * 3600_000;

interface WrittenIndex {
  id: string;
  index: Uint8Array;
  series: number;
}

/** Writes a 2h block of `n` cluster-like series and returns its index. */
async function writeIndex(n: number, uniqueLabel = false): Promise<WrittenIndex> {
  const mem = new MemoryBlockSink();
  // Yield to the event loop per streamed buffer: writing to memory is otherwise one long run of
  // microtasks, which starves the test runner's RPC.
  const sink = {
    put: (name: string, data: SinkData) =>
      mem.put(
        name,
        data instanceof Uint8Array
          ? data
          : data.pipeThrough(
              new TransformStream<Uint8Array, Uint8Array>({
                async transform(chunk, ctl) {
                  await tick();
                  ctl.enqueue(chunk);
                },
              }),
            ),
      ),
  };
  const sets = clusterSeries(n, { seed: n, uniqueLabel });
  const meta = await writeBlock(() => sink, clusterSamples(sets, T0, 4, H2 / 4));
  return { id: meta!.ulid, index: mem.files.get('index')!, series: n };
}

const blocks = new Map<string, WrittenIndex>();

beforeAll(async () => {
  blocks.set('small', await writeIndex(300));
  // 20k series: an index of about 3 MiB.
  blocks.set('large', await writeIndex(20_000));
}, 120_000);

const src = (w: WrittenIndex) => new CountingSource(new MemorySource('index', w.index));
const loc = (w: WrittenIndex) => ({ block: w.id, file: INDEX_HEADER_FILENAME });

describe('index header format', () => {
  it('round-trips the parts, with and without the inline index', async () => {
    const w = blocks.get('small')!;
    for (const inlineBelow of [0, DEFAULT_INLINE_BELOW]) {
      const h = await buildIndexHeader(new MemorySource('index', w.index), { inlineBelow });
      expect(new Decbuf(h).be32()).toBe(MAGIC_INDEX_HEADER);
      const parts = decodeIndexHeader(h, loc(w));
      expect(parts.indexSize).toBe(w.index.length);
      expect(parts.index !== undefined).toBe(inlineBelow > 0);
      const tocOff = w.index.length - 52;
      expect(parts.postingsTable).toEqual(w.index.subarray(parts.toc.postingsTable, tocOff));
      expect(parts.symbols).toEqual(w.index.subarray(parts.toc.symbols, parts.toc.series));
      expect(encodeIndexHeader(parts)).toEqual(h);
    }
  });

  it('refuses to encode parts whose sections disagree with the TOC', async () => {
    const w = blocks.get('small')!;
    const parts = decodeIndexHeader(
      await buildIndexHeader(new MemorySource('index', w.index), { inlineBelow: 0 }),
      loc(w),
    );
    expect(() => encodeIndexHeader({ ...parts, symbols: parts.symbols.subarray(1) })).toThrow(
      RangeError,
    );
    expect(() => encodeIndexHeader({ ...parts, index: w.index.subarray(1) })).toThrow(RangeError);
  });
});

describe.each(['small', 'large'])('index header of a %s block from our writer', (which) => {
  it('builds in ≤ 2 reads; a header without the index opens with 0 reads and answers like open', async () => {
    const w = blocks.get(which)!;
    const b = src(w);
    const header = await buildIndexHeader(b, { block: w.id, inlineBelow: 0, size: w.index.length });
    expect(b.sizeCalls).toBe(0);
    expect(b.reads).toBeGreaterThanOrEqual(1);
    expect(b.reads).toBeLessThanOrEqual(2);
    const buildReads = b.reads;

    const s = src(w);
    const fromHeader = IndexReader.fromHeader(s, header, {
      block: w.id,
      indexSize: w.index.length,
    });
    expect(s.requests).toBe(0);
    expect(fromHeader.backing).toBe('header');

    const o = src(w);
    const opened = await IndexReader.open(o, { block: w.id });
    const openRequests = o.requests;
    expect(opened.backing).toBe('index');
    expect(await expectSameAnswers(fromHeader, opened)).toBeGreaterThan(20);
    expect(s.reads).toBeGreaterThan(0); // postings and series still come from the index
    console.log(
      `index header (${which}, ${w.series} series): header ${header.length} B for an index of ${w.index.length} B; build ${buildReads} reads, open from header 0 requests, IndexReader.open ${openRequests} requests`,
    );
  });

  it('with the inline index: one read to build, then no read at all', async () => {
    const w = blocks.get(which)!;
    const b = src(w);
    const header = await buildIndexHeader(b, { block: w.id, inlineBelow: Infinity });
    expect([b.sizeCalls, b.reads]).toEqual([1, 1]);
    const s = src(w);
    const r = IndexReader.fromHeader(s, header, { block: w.id });
    expect(r.backing).toBe('inline');
    expect(
      await expectSameAnswers(r, await IndexReader.open(src(w), { block: w.id })),
    ).toBeGreaterThan(20);
    expect(s.requests).toBe(0);
  });
});

describe('building', () => {
  it('inlines an index below the threshold by default, not above it', async () => {
    const small = blocks.get('small')!;
    const large = blocks.get('large')!;
    expect(small.index.length).toBeLessThan(DEFAULT_INLINE_BELOW);
    expect(large.index.length).toBeGreaterThan(2 * 1024 * 1024);
    const hs = await buildIndexHeader(new MemorySource('index', small.index));
    const hl = await buildIndexHeader(new MemorySource('index', large.index));
    expect(decodeIndexHeader(hs, loc(small)).index).toBeDefined();
    expect(decodeIndexHeader(hl, loc(large)).index).toBeUndefined();
    // A large index's header is a small fraction of it.
    expect(hl.length).toBeLessThan(large.index.length / 10);
  });

  it('reads exactly what the tail missed when the postings offset table is longer than the guess', async () => {
    // A label unique to each series makes the table about a quarter of the index.
    const w = await writeIndex(20_000, true);
    const size = w.index.length;
    const ptLen =
      size -
      52 -
      decodeIndexHeader(
        await buildIndexHeader(new MemorySource('index', w.index), { inlineBelow: 0 }),
        loc(w),
      ).toc.postingsTable;
    expect(ptLen + 52).toBeGreaterThan(tailGuess(size));
    const b = src(w);
    const h = await buildIndexHeader(b, { block: w.id, size });
    expect(b.reads).toBe(3);
    // Tail, head (symbols), and the rest of the table: no byte read twice.
    const parts = decodeIndexHeader(h, loc(w));
    expect(b.bytes).toBe(ptLen + 52 + parts.toc.series);
    const b2 = src(w);
    await buildIndexHeader(b2, { block: w.id, size, tailBytes: ptLen + 52 });
    expect(b2.reads).toBe(2);
    const r = IndexReader.fromHeader(src(w), h, { block: w.id });
    expect(await expectSameAnswers(r, await IndexReader.open(src(w)))).toBeGreaterThan(20);
  }, 60_000);

  it('refuses a corrupt index with a CorruptBlockError naming the index', async () => {
    const w = blocks.get('small')!;
    for (const inlineBelow of [0, Infinity]) {
      const ix = w.index.slice();
      const pt = new Decbuf(ix, ix.length - 52 + 40).be64();
      ix[pt + 10]! ^= 0x40; // inside the postings offset table: its CRC no longer matches
      const err = await buildIndexHeader(new MemorySource('index', ix), {
        block: w.id,
        inlineBelow,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptBlockError);
      expect((err as CorruptBlockError).location).toEqual({
        block: w.id,
        file: 'index',
        offset: pt,
      });
      const tiny = await buildIndexHeader(new MemorySource('index', ix.subarray(0, 40)), {
        block: w.id,
      }).catch((e: unknown) => e);
      expect(tiny).toBeInstanceOf(CorruptBlockError);
    }
  });
});

/** Recomputes a header's trailing CRC after a deliberate change. */
function fixCrc(h: Uint8Array): void {
  new DataView(h.buffer, h.byteOffset).setUint32(h.length - 4, crc32c(h, 0, 0, h.length - 4));
}

/** Decodes, opens and reads everything; returns the error it ended with, if any. */
async function readAll(w: WrittenIndex, header: Uint8Array): Promise<unknown> {
  try {
    const r = IndexReader.fromHeader(new MemorySource('index', w.index), header, {
      block: w.id,
      indexSize: w.index.length,
    });
    for (const name of r.labelNames()) await r.postings(name, r.labelValues(name));
    await r.seriesBatch(await r.allPostings());
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('corrupt headers', () => {
  let headers: { name: string; h: Uint8Array }[];
  beforeAll(async () => {
    const w = blocks.get('small')!;
    headers = [
      {
        name: 'sections',
        h: await buildIndexHeader(new MemorySource('index', w.index), { inlineBelow: 0 }),
      },
      { name: 'inline', h: await buildIndexHeader(new MemorySource('index', w.index)) },
    ];
  });

  function expectCorrupt(err: unknown, offset?: number): CorruptBlockError {
    expect(err).toBeInstanceOf(CorruptBlockError);
    const c = err as CorruptBlockError;
    expect(c.location.block).toBe(blocks.get('small')!.id);
    expect(c.location.file).toBe(INDEX_HEADER_FILENAME);
    if (offset !== undefined) expect(c.location.offset).toBe(offset);
    else expect(typeof c.location.offset).toBe('number');
    return c;
  }

  it('names wrong magic, wrong version, truncation and trailing bytes', async () => {
    const w = blocks.get('small')!;
    for (const { h } of headers) {
      const magic = h.slice();
      magic[0] = 0xba ^ 1;
      expect(expectCorrupt(await readAll(w, magic), 0).message).toMatch(/invalid magic/);
      const version = h.slice();
      version[4] = 2;
      fixCrc(version);
      expect(expectCorrupt(await readAll(w, version), 4).message).toMatch(/unsupported version 2/);
      for (const n of [0, 3, 5, 40, 88, h.length >> 1, h.length - 5, h.length - 1])
        expectCorrupt(await readAll(w, h.subarray(0, n)));
      const longer = new Uint8Array(h.length + 1);
      longer.set(h);
      expectCorrupt(await readAll(w, longer));
      fixCrc(longer);
      expect(expectCorrupt(await readAll(w, longer)).message).toMatch(/after the last field/);
    }
  });

  it('finds every single flipped bit of a header', async () => {
    const w = blocks.get('small')!;
    const h = headers[0]!.h;
    for (let i = 0; i < h.length; i++) {
      const m = h.slice();
      m[i]! ^= 1 << (i & 7);
      expectCorrupt(await readAll(w, m));
    }
  });

  it('rejects a header made for another index', async () => {
    const w = blocks.get('small')!;
    const err = (() => {
      try {
        IndexReader.fromHeader(new MemorySource('index', w.index), headers[0]!.h, {
          block: w.id,
          indexSize: w.index.length + 16,
        });
      } catch (e) {
        return e;
      }
    })();
    expect(expectCorrupt(err).message).toMatch(/index header is for an index of/);
  });

  it('rejects an inline index whose TOC disagrees with the header', async () => {
    const w = blocks.get('small')!;
    const h = headers[1]!.h.slice();
    // The header's TOC `series` field: move it by one 16-byte step (still in range).
    const dv = new DataView(h.buffer);
    dv.setUint32(13 + 8 + 4, dv.getUint32(13 + 8 + 4) + 16);
    fixCrc(h);
    expect(expectCorrupt(await readAll(w, h)).message).toMatch(/TOC series differs/);
  });

  it(`survives ${ITERATIONS} seeded random mutations`, async () => {
    const w = blocks.get('small')!;
    const random = new Random(SEED);
    const rnd = (): number => random.next();
    const int = (n: number) => Math.floor(rnd() * n);
    const counts: Record<string, { ok: number; corrupt: number }> = {};
    for (let it = 0; it < ITERATIONS; it++) {
      // In-memory reads never leave the microtask queue: let the runner's RPC through.
      if (it % 25 === 0) await tick();
      const { name, h } = headers[it % 2]!;
      const parts = decodeIndexHeader(h, loc(w));
      let m = h.slice();
      const mode = ['flip', 'truncate', 'append', 'field', 'section', 'section'][int(6)]!;
      if (mode === 'flip') {
        for (let j = 0, k = 1 + int(4); j < k; j++) m[int(m.length)]! ^= 1 << int(8);
      } else if (mode === 'truncate') {
        m = m.slice(0, int(m.length));
      } else if (mode === 'append') {
        const extra = new Uint8Array(1 + int(32)).map(() => int(256));
        m = new Uint8Array([...m, ...extra]);
      } else if (mode === 'field') {
        // A byte of the fixed fields or a length, the CRC made right so the checks behind it run.
        const fields = [...Array(13 + 48).keys()].slice(5);
        const symLenPos = 13 + 48;
        const ptLenPos = symLenPos + 8 + (parts.index ? 0 : parts.symbols.length);
        const idxLenPos = ptLenPos + 8 + (parts.index ? 0 : parts.postingsTable.length);
        for (let k = 0; k < 8; k++) fields.push(symLenPos + k, ptLenPos + k, idxLenPos + k);
        const p = fields[int(fields.length)]!;
        m[p] = rnd() < 0.5 ? int(256) : m[p]! ^ (1 << int(8));
        fixCrc(m);
      } else {
        // Inside the copied symbol table or postings offset table, both CRCs made right.
        const sec = rnd() < 0.5 ? parts.symbols : parts.postingsTable;
        const at = sec.byteOffset - h.byteOffset;
        const len = new Decbuf(sec).be32();
        for (let j = 0, k = 1 + int(3); j < k; j++) {
          const p = at + 4 + int(len);
          m[p] = rnd() < 0.5 ? int(256) : m[p]! ^ (1 << int(8));
        }
        new DataView(m.buffer).setUint32(at + 4 + len, crc32c(m, 0, at + 4, at + 4 + len));
        fixCrc(m);
      }
      const key = `${name} ${mode}`;
      const c = (counts[key] ??= { ok: 0, corrupt: 0 });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const err = await Promise.race([
        readAll(w, m),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`iteration ${it} (${key}): hang`)), 10_000);
        }),
      ]).finally(() => clearTimeout(timer));
      if (err === undefined) c.ok++;
      else if (err instanceof CorruptBlockError) c.corrupt++;
      else
        throw new Error(`iteration ${it} (${key}, seed ${SEED}): unexpected ${String(err)}`, {
          cause: err,
        });
      // The header's CRC covers every byte: a flip or a cut is always found (unless two flips
      // of the same bit cancelled out).
      const changed = m.length !== h.length || m.some((v, i) => v !== h[i]);
      if ((mode === 'flip' || mode === 'truncate') && changed)
        expect(err, `iteration ${it} (${key})`).toBeInstanceOf(CorruptBlockError);
    }
    console.log(`index header fuzz: ${ITERATIONS} cases, seed ${SEED}: ${JSON.stringify(counts)}`);
    const total = Object.values(counts).reduce((a, c) => a + c.ok + c.corrupt, 0);
    expect(total).toBe(ITERATIONS);
    expect(Object.keys(counts).length).toBe(10);
  }, 300_000);
});
