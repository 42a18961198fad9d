import { describe, expect, it } from 'vitest';
import { memoryBlockDir } from '../../test/helpers/block-dir.ts';
import { Block } from './block-reader.ts';
import { MemoryBlockSink, writeBlock, type SeriesSamples } from './writer/index.ts';

/** Values whose UTF-8 byte order differs from UTF-16 order (surrogates vs U+E000–U+FFFF). */
const ODD = ['é', 'ü', '中', '\uE000', '\uFFFD', '😀', '𝄞', 'a😀', 'a\uE000', 'z', 'Z', '~'];

function values(): string[] {
  const out = [...ODD];
  for (let i = 0; i < 200; i++) out.push(`host-${String(i).padStart(3, '0')}`, `h${i}`);
  return out;
}

async function block(vals: readonly string[]): Promise<Block> {
  const ss: SeriesSamples[] = vals.map((v, i) => ({
    labels: [
      { name: '__name__', value: 'm' },
      { name: 'v', value: v },
    ],
    timestamps: Float64Array.of(1000 + i),
    values: Float64Array.of(i),
  }));
  const sink = new MemoryBlockSink();
  const meta = await writeBlock(() => sink, ss, { minTime: 0, maxTime: 10_000 });
  return Block.open(memoryBlockDir(sink.files), { id: meta!.ulid });
}

describe('postings offset table lookups', () => {
  it('finds every value of a name (sampled every 32nd, scanned by bytes) and no value that is absent', async () => {
    const vals = values();
    const b = await block(vals);
    const seen = new Set<number>();
    for (const v of vals) {
      const refs = await b.index.postings('v', [v]);
      expect(refs.length, v).toBe(1);
      seen.add(refs[0]!);
    }
    expect(seen.size).toBe(vals.length);
    // Absent values: before the first, between two, after the last, a prefix of one, one longer.
    for (const v of ['', '0', 'host-0005', 'host-', 'h1000', '\u00e9\u00e9', '😁', '\uFFFF']) {
      expect((await b.index.postings('v', [v])).length, v).toBe(0);
    }
    // Many values at once, in any order, duplicates included: each list once.
    const shuffled = [...vals].reverse().concat(vals.slice(0, 5));
    expect((await b.index.postings('v', shuffled)).length).toBe(vals.length);
  });
});
