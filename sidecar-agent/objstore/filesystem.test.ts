import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../../core/objstore/errors.ts';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { FILE_BLOB_READ_BYTES, FileBlob } from './file-blob.ts';
import { FilesystemBucket } from './filesystem.ts';

let tmp: TmpDir;
let bucket: FilesystemBucket;
const big = new Uint8Array(FILE_BLOB_READ_BYTES * 2 + 4_321).map(
  (_, i) => (i * 2_654_435_761) >>> 24,
);

beforeAll(async () => {
  tmp = await makeTmpDir('fs-bucket-');
  bucket = new FilesystemBucket(join(tmp.path, 'bucket'));
});
afterAll(() => tmp.remove());

/** File descriptors this process holds open (Linux). */
async function openFiles(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

describe('FilesystemBucket', () => {
  it('streams an object in pieces of a MiB, from the object as it was when asked for', async () => {
    await bucket.upload('s/obj', big);
    const reader = (await bucket.get('s/obj')).getReader();
    const first = await reader.read();
    expect(first.value!.length).toBe(FILE_BLOB_READ_BYTES);
    // Replaced while being read: the open stream still gives the object it started with.
    await bucket.upload('s/obj', new Uint8Array(10));
    const pieces = [first.value!];
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    expect(pieces.map((p) => p.length)).toEqual([
      FILE_BLOB_READ_BYTES,
      FILE_BLOB_READ_BYTES,
      4_321,
    ]);
    expect(same(Buffer.concat(pieces), big)).toBe(true);
    expect((await bucket.attributes('s/obj')).size).toBe(10);
  });

  it('reads an empty object, and a stream cancelled before its first piece closes its file', async () => {
    await bucket.upload('s/empty', new Uint8Array(0));
    const before = await openFiles();
    expect((await new Response(await bucket.get('s/empty')).arrayBuffer()).byteLength).toBe(0);
    expect(await openFiles()).toBe(before);
    const unread = await bucket.get('s/obj');
    expect(await openFiles()).toBe(before + 1);
    await unread.cancel();
    expect(await openFiles()).toBe(before);
    await expect(bucket.get('s/missing')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('uploads a whole file by copying it, and a slice of one through a stream', async () => {
    const path = join(tmp.path, 'src-file');
    await writeFile(path, big);
    const whole = await FileBlob.open(path);
    await bucket.upload('u/whole', whole);
    const slice = whole.slice(1_000, FILE_BLOB_READ_BYTES + 7);
    await bucket.upload('u/slice', slice);
    const dir = join(tmp.path, 'bucket', 'u');
    expect(same(await readFile(join(dir, 'whole')), big)).toBe(true);
    expect(
      same(await readFile(join(dir, 'slice')), big.subarray(1_000, FILE_BLOB_READ_BYTES + 7)),
    ).toBe(true);
    // The file grew after the blob was made: the blob is what was there, sent as a stream.
    await writeFile(path, new Uint8Array(big.length + 5));
    await bucket.upload('u/grown', whole);
    expect((await readFile(join(dir, 'grown'))).length).toBe(big.length);
    expect((await readdir(dir)).sort()).toEqual(['grown', 'slice', 'whole']);
  });
});
