/**
 * Fuzzing the block reader with a real promtool-written block: thousands of random bit flips,
 * truncations, garbage appends and — to get past the checksums into the parsers — byte changes
 * inside checksummed regions (series entries, postings lists, symbol and postings offset tables,
 * TOC, chunks) with the checksum recomputed. Reading everything must end in success or a
 * CorruptBlockError (NotSupportedError only for a chunk turned into a native-histogram
 * encoding), never another exception, never a hang, never a huge allocation. Each case is read
 * with the JS CRC-32C and again with the WASM kernel (batched checks), which must agree exactly.
 * FUZZ_ITERATIONS (default 3000) and FUZZ_SEED override the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptBlockError, NotSupportedError } from '../../../core/errors.ts';
import { Decbuf, crc32c } from '../../../core/tsdb/encoding.ts';
import { installCrc32cKernel } from '../../../core/tsdb/crc32c.ts';
import { loadCrc32cKernelNode } from '../../../sidecar-agent/wasm.ts';
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
import { Random } from '../../helpers/random.ts';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 1234);
/** No single read of this small block may take longer (a hang shows up as this timeout). */
const PER_CASE_MS = 10_000;

/** A checksummed region: content [start, end) with its CRC32C stored big-endian at `end`. */
interface Region {
  file: string;
  start: number;
  end: number;
}

let tmp: TmpDir;
let id: string;
let orig: BlockFiles;
let regions: Region[];

function indexRegions(ix: Uint8Array): Region[] {
  const out: Region[] = [];
  const t = new Decbuf(ix, ix.length - 52);
  const toc = {
    symbols: t.be64(),
    series: t.be64(),
    li: t.be64(),
    lt: t.be64(),
    postings: t.be64(),
    pt: t.be64(),
  };
  const section = (off: number) =>
    out.push({ file: 'index', start: off + 4, end: off + 4 + new Decbuf(ix, off).be32() });
  out.push({ file: 'index', start: ix.length - 52, end: ix.length - 4 });
  section(toc.symbols);
  section(toc.pt);
  // Series entries: 16-byte aligned, uvarint length, content, CRC; zero padding after the last.
  for (let p = Math.ceil(toc.series / 16) * 16; p < toc.li;) {
    const d = new Decbuf(ix, p);
    const len = d.uvarint();
    if (len === 0 || d.err) break;
    out.push({ file: 'index', start: d.pos, end: d.pos + len });
    p = Math.ceil((d.pos + len + 4) / 16) * 16;
  }
  // Postings lists, located through the postings offset table.
  const d = new Decbuf(ix, toc.pt + 4);
  const n = d.be32();
  for (let i = 0; i < n; i++) {
    d.byte();
    d.skip(d.uvarint());
    d.skip(d.uvarint());
    section(d.uvarint());
  }
  return out;
}

function chunkRegions(file: string, seg: Uint8Array): Region[] {
  const out: Region[] = [];
  for (let p = 8; p < seg.length;) {
    const d = new Decbuf(seg, p);
    const len = d.uvarint();
    out.push({ file, start: d.pos, end: d.pos + 1 + len });
    p = d.pos + 1 + len + 4;
  }
  return out;
}

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-fuzz-');
  const gen = generateOpenMetrics({ seed: 11, hours: 0.5, scale: 0.1 });
  const made = await promtoolCreateBlocks(gen.text, tmp.path);
  id = made.blocks[0]!;
  orig = await loadBlockFiles(`${made.db}/${id}`);
  regions = [...indexRegions(orig.get('index')!)];
  for (const [name, b] of orig)
    if (name.startsWith('chunks/')) regions.push(...chunkRegions(name, b));
});

afterAll(async () => {
  await tmp?.remove();
});

type Outcome = 'ok' | 'corrupt' | 'unsupported';

describe('block reader fuzz', () => {
  it(`survives ${ITERATIONS} random corruptions of a real block`, async () => {
    expect(regions.length).toBeGreaterThan(100);
    const kernel = await loadCrc32cKernelNode();
    const rnd = new Random(SEED);
    const names = [...orig.keys()];
    const counts: Record<Outcome, number> = { ok: 0, corrupt: 0, unsupported: 0 };
    const modes: Record<string, number> = {};
    let maxArrayBuffers = 0;
    const baseline = process.memoryUsage().arrayBuffers;

    for (let it = 0; it < ITERATIONS; it++) {
      // Reads of in-memory sources never leave the microtask queue: let the runner's RPC through.
      if (it % 25 === 0) await new Promise((r) => setImmediate(r));
      const f = cloneFiles(orig);
      const mode = ['flip', 'truncate', 'append', 'region', 'region', 'region'][rnd.int(6)]!;
      modes[mode] = (modes[mode] ?? 0) + 1;
      let what = mode;
      if (mode === 'region') {
        // Change bytes inside a checksummed region and fix its checksum, so parsers see them.
        const r = regions[rnd.int(regions.length)]!;
        const b = f.get(r.file)!;
        const k = 1 + rnd.int(3);
        for (let j = 0; j < k && r.end > r.start; j++)
          b[r.start + rnd.int(r.end - r.start)] = rnd.chance(0.5)
            ? rnd.int(256)
            : b[r.start + rnd.int(r.end - r.start)]! ^ (1 << rnd.int(8));
        new DataView(b.buffer).setUint32(r.end, crc32c(b, 0, r.start, r.end));
        what = `region ${r.file} [${r.start},${r.end})`;
      } else {
        const name = names[rnd.int(names.length)]!;
        const b = f.get(name)!;
        if (mode === 'flip') {
          for (let j = 0, k = 1 + rnd.int(4); j < k; j++) b[rnd.int(b.length)] ^= 1 << rnd.int(8);
        } else if (mode === 'truncate') {
          f.set(name, b.slice(0, rnd.int(b.length)));
        } else {
          const extra = new Uint8Array(1 + rnd.int(64)).map(() => rnd.int(256));
          const nb = new Uint8Array(b.length + extra.length);
          nb.set(b);
          nb.set(extra, b.length);
          f.set(name, nb);
        }
        what = `${mode} ${name}`;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Every case twice: with the JS CRC-32C, then with the WASM kernel checking in batches,
      // which must fail the same way (same error, same message).
      let jsError = '';
      installCrc32cKernel(undefined);
      const js = await readEverything(memoryBlockDir(f), id).then(
        () => 'ok',
        (err: unknown) => (jsError = String(err)),
      );
      installCrc32cKernel(kernel, 0);
      const outcome = await Promise.race([
        readEverything(memoryBlockDir(f), id).then(
          (): Outcome => {
            expect(js, `iteration ${it} (${what}): JS CRC path failed where WASM did not`).toBe(
              'ok',
            );
            return 'ok';
          },
          (err: unknown): Outcome => {
            expect(String(err), `iteration ${it} (${what}): WASM vs JS CRC path`).toBe(jsError);
            if (err instanceof CorruptBlockError) return 'corrupt';
            if (err instanceof NotSupportedError && /native histograms/.test(err.message))
              return 'unsupported';
            throw new Error(`iteration ${it} (${what}, seed ${SEED}): unexpected ${String(err)}`, {
              cause: err,
            });
          },
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`iteration ${it} (${what}): hang`)),
            PER_CASE_MS,
          );
        }),
      ]).finally(() => {
        clearTimeout(timer);
        installCrc32cKernel(undefined);
      });
      counts[outcome]++;
      if (it % 50 === 0)
        maxArrayBuffers = Math.max(maxArrayBuffers, process.memoryUsage().arrayBuffers - baseline);
    }
    console.log(
      `fuzz: ${ITERATIONS} cases, outcomes ${JSON.stringify(counts)}, modes ${JSON.stringify(modes)}, peak extra arrayBuffers ${(maxArrayBuffers / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(counts.ok + counts.corrupt + counts.unsupported).toBe(ITERATIONS);
    expect(counts.corrupt).toBeGreaterThan(ITERATIONS / 4);
    // The block is ~100 KiB; nothing may allocate anywhere near a length a corrupt field claims.
    expect(maxArrayBuffers).toBeLessThan(256 * 2 ** 20);
  }, 600_000);
});
