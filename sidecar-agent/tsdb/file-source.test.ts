import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { FileSource } from './file-source.ts';

let tmp: TmpDir;
const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 7_919) >>> 3);

beforeAll(async () => {
  tmp = await makeTmpDir('file-source-');
  await writeFile(join(tmp.path, 'f'), bytes);
});
afterAll(() => tmp.remove());

describe('FileSource', () => {
  it('reads into a buffer given back, and never into one still held', async () => {
    const src = new FileSource(join(tmp.path, 'f'));
    try {
      const held = await src.read(0, 100_000);
      const given = await src.read(100_000, 200_000);
      src.recycle(given.buffer);
      const next = await src.read(300_000, 150_000);
      expect(next.buffer).toBe(given.buffer);
      expect(Buffer.from(next).equals(bytes.subarray(300_000, 450_000))).toBe(true);
      // The held read is untouched, and the next read takes fresh memory.
      const other = await src.read(500_000, 150_000);
      expect(other.buffer).not.toBe(held.buffer);
      expect(other.buffer).not.toBe(next.buffer);
      expect(Buffer.from(held).equals(bytes.subarray(0, 100_000))).toBe(true);
      // A buffer too small for a read is not used for it, nor one over twice its size.
      src.recycle(other.buffer);
      const large = await src.read(0, 600_000);
      expect(large.buffer).not.toBe(other.buffer);
      expect(Buffer.from(large).equals(bytes.subarray(0, 600_000))).toBe(true);
      src.recycle(large.buffer);
      const small = await src.read(0, 250_000);
      expect(small.buffer).not.toBe(large.buffer);
      expect(small.buffer.byteLength).toBe(250_000);
      const fits = await src.read(10, 400_000);
      expect(fits.buffer).toBe(large.buffer);
      expect(Buffer.from(fits).equals(bytes.subarray(10, 400_010))).toBe(true);
    } finally {
      await src.close();
    }
  });
});
