import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_BLOB_READ_BYTES, FileBlob } from './file-blob.ts';

let dir = '';
const bytes = new Uint8Array(FILE_BLOB_READ_BYTES * 2 + 12_345).map((_, i) => (i * 7919) >>> 5);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-blob-'));
  await writeFile(join(dir, 'f'), bytes);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function streamed(b: Blob): Promise<Buffer> {
  return Buffer.from(await new Response(b.stream()).arrayBuffer());
}

/** Byte equality without vitest's element-by-element diff of megabytes. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

describe('FileBlob', () => {
  it('holds the file: size, stream, bytes, text, and a second read of the same blob', async () => {
    const b = await FileBlob.open(join(dir, 'f'));
    expect(b).toBeInstanceOf(Blob);
    expect(b.size).toBe(bytes.length);
    expect(same(await streamed(b), bytes)).toBe(true);
    expect(same(await streamed(b), bytes)).toBe(true);
    expect(same(new Uint8Array(await b.arrayBuffer()), bytes)).toBe(true);
    const small = b.slice(10, 20);
    expect(await small.text()).toBe(new TextDecoder().decode(bytes.subarray(10, 20)));
  });

  it('slices as a Blob of the same bytes does, slices of slices included', async () => {
    const ours = await FileBlob.open(join(dir, 'f'));
    const node = new Blob([bytes]);
    const n = bytes.length;
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const pick = (): number | undefined => {
      const r = rand() % 6;
      if (r === 0) return undefined;
      if (r === 1) return -(rand() % (n + 10));
      return rand() % (n + 10);
    };
    for (let k = 0; k < 40; k++) {
      const [a, z, a2, z2] = [pick(), pick(), pick(), pick()];
      const o = ours.slice(a, z);
      const w = node.slice(a, z);
      expect(o.size).toBe(w.size);
      const o2 = o.slice(a2 === undefined ? undefined : a2 % 5000, z2);
      const w2 = w.slice(a2 === undefined ? undefined : a2 % 5000, z2);
      expect(o2.size).toBe(w2.size);
      if (k % 8 === 0) {
        expect(same(await streamed(o), new Uint8Array(await w.arrayBuffer()))).toBe(true);
        expect(same(await streamed(o2), new Uint8Array(await w2.arrayBuffer()))).toBe(true);
      }
    }
  });

  it('a body of a Request streams the file', async () => {
    const b = (await FileBlob.open(join(dir, 'f'))).slice(FILE_BLOB_READ_BYTES - 3);
    const req = new Request('http://127.0.0.1/', { method: 'PUT', body: b });
    expect(
      same(new Uint8Array(await req.arrayBuffer()), bytes.subarray(FILE_BLOB_READ_BYTES - 3)),
    ).toBe(true);
  });

  it('errors, naming the file, when the file shrank or went away', async () => {
    const path = join(dir, 'g');
    await writeFile(path, bytes);
    const b = await FileBlob.open(path);
    await truncate(path, 1000);
    await expect(streamed(b)).rejects.toThrow(`read ${path}: file ends at 1000`);
    await rm(path);
    await expect(streamed(b)).rejects.toThrow(path);
    await expect(FileBlob.open(path)).rejects.toThrow(/ENOENT/);
  });
});
