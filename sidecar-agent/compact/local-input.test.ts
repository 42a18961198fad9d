import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compactBlocks } from '../../core/compact/compact-blocks.ts';
import { groupBlocks } from '../../core/compact/group.ts';
import { bucketInput, type CompactionInput } from '../../core/compact/input.ts';
import { CorruptBlockError } from '../../core/errors.ts';
import { Block } from '../../core/tsdb/block-reader.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import { MemoryBlockSink } from '../../core/tsdb/writer/sink.ts';
import { liveMetas, uploadDirBlocks, writeRawBlocks } from '../../test/helpers/compact-data.ts';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { FilesystemBucket } from '../objstore/filesystem.ts';
import { FileSource } from '../tsdb/file-source.ts';
import { localInput } from './local-input.ts';

/** A real filesystem bucket whose object bodies arrive in small, late pieces (a slow network). */
class SlowBucket extends FilesystemBucket {
  override async get(key: string): Promise<ReadableStream<Uint8Array>> {
    const reader = (await super.get(key)).getReader();
    let pending: Uint8Array | undefined;
    return new ReadableStream<Uint8Array>({
      async pull(c) {
        if (!pending || pending.length === 0) {
          const r = await reader.read();
          if (r.done) return c.close();
          pending = r.value;
        }
        await new Promise((r) => setTimeout(r, 1));
        c.enqueue(pending.slice(0, 4096));
        pending = pending.subarray(4096);
      },
    });
  }
}

/** A filesystem bucket whose bodies arrive in pieces of an odd size, none aligned to a write. */
class OddPiecesBucket extends FilesystemBucket {
  override async get(key: string): Promise<ReadableStream<Uint8Array>> {
    const reader = (await super.get(key)).getReader();
    let pending = new Uint8Array(0);
    return new ReadableStream<Uint8Array>({
      async pull(c) {
        while (pending.length < 99_991) {
          const r = await reader.read();
          if (r.done) {
            if (pending.length > 0) c.enqueue(pending);
            return c.close();
          }
          const joined = new Uint8Array(pending.length + r.value.length);
          joined.set(pending);
          joined.set(r.value, pending.length);
          pending = joined;
        }
        c.enqueue(pending.slice(0, 99_991));
        pending = pending.subarray(99_991);
      },
    });
  }
}

let tmp: TmpDir;
let bucket: SlowBucket;
let metas: BlockMeta[];

beforeAll(async () => {
  tmp = await makeTmpDir('local-input-');
  bucket = new SlowBucket(join(tmp.path, 'bucket'));
  const written = await writeRawBlocks(join(tmp.path, 'src'), { blocks: 4, series: 300 });
  await uploadDirBlocks(
    bucket,
    join(tmp.path, 'src'),
    written.map((m) => m.ulid),
    { cluster: 'a' },
  );
  metas = await liveMetas(bucket);
});
afterAll(() => tmp.remove());

async function compactWith(input: CompactionInput): Promise<Map<string, Uint8Array>> {
  const group = groupBlocks(metas)[0]!;
  const opened = await input.open(group, metas);
  const sink = new MemoryBlockSink();
  try {
    const blocks = await Promise.all(
      opened.dirs.map((d, i) => Block.open(d, { id: metas[i]!.ulid })),
    );
    const res = await compactBlocks(
      blocks.map((block) => ({ block })),
      {
        sink: () => sink,
        ulid: '01JAAAAAAAAAAAAAAAAAAAAAAA',
        thanos: { labels: group.labels, downsample: { resolution: 0 } },
        readBudget: opened.readBudget,
      },
    );
    expect(res.meta?.stats.numSeries).toBe(300);
  } finally {
    await opened.release();
  }
  return sink.files;
}

describe('localInput', () => {
  it('compacts from blocks still downloading exactly as from the bucket, then removes them', async () => {
    const dataDir = join(tmp.path, 'data');
    // The local files take their read buffers back (FileSource.recycle) and read into them again.
    const recycle = vi.spyOn(FileSource.prototype, 'recycle');
    const read = vi.spyOn(FileSource.prototype, 'read');
    let local: Map<string, Uint8Array>;
    try {
      local = await compactWith(localInput(bucket, dataDir));
      expect(recycle.mock.calls.length).toBeGreaterThan(0);
      const given = new Set(recycle.mock.calls.map(([b]) => b));
      const reused = (
        await Promise.all(read.mock.results.map((r) => r.value as Promise<Uint8Array>))
      ).filter((b) => given.has(b.buffer)).length;
      expect(reused).toBeGreaterThan(0);
    } finally {
      recycle.mockRestore();
      read.mockRestore();
    }
    const remote = await compactWith(bucketInput(bucket));
    expect([...local.keys()].sort()).toEqual([...remote.keys()].sort());
    for (const [name, bytes] of remote) expect(local.get(name), name).toEqual(bytes);
    expect(await readdir(join(dataDir, 'compact'))).toEqual([]);
  });

  it('reports a block whose index is missing as corrupt', async () => {
    const bad = metas[1]!;
    await bucket.delete(`${bad.ulid}/index`);
    const group = groupBlocks(metas)[0]!;
    const opened = await localInput(bucket, join(tmp.path, 'data2')).open(group, [bad]);
    try {
      const err = await Block.open(opened.dirs[0]!, { id: bad.ulid }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptBlockError);
      expect((err as CorruptBlockError).location.block).toBe(bad.ulid);
    } finally {
      await opened.release();
    }
  });

  it.each([
    ['odd sizes, none aligned to a write', (dir: string) => new OddPiecesBucket(dir)],
    [
      "the local bucket's own (a MiB each, written as they come)",
      (dir: string) => new FilesystemBucket(dir),
    ],
  ])('writes a large file in order whatever the pieces it arrives in: %s', async (_, make) => {
    const odd = make(join(tmp.path, `odd-${Math.random().toString(36).slice(2)}`));
    const bytes = new Uint8Array(3 * 1024 * 1024 + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2_654_435_761) >>> 24;
    const meta: BlockMeta = {
      ...metas[0]!,
      thanos: {
        ...metas[0]!.thanos!,
        files: [{ rel_path: 'chunks/000001', size_bytes: bytes.length }, { rel_path: 'meta.json' }],
      },
    };
    await odd.upload(`${meta.ulid}/chunks/000001`, bytes);
    await odd.upload(`${meta.ulid}/meta.json`, new TextEncoder().encode(JSON.stringify(meta)));
    const opened = await localInput(odd, join(tmp.path, 'data3')).open(groupBlocks([meta])[0]!, [
      meta,
    ]);
    try {
      const src = await opened.dirs[0]!.open('chunks/000001');
      // Reads across the 1 MiB write boundaries, some made before their bytes arrived.
      const reads: [number, number][] = [
        [0, 10],
        [1024 * 1024 - 7, 14],
        [2 * 1024 * 1024 - 99_991, 300_000],
        [bytes.length - 5, 5],
        [0, bytes.length],
      ];
      for (const [off, len] of reads)
        expect(
          Buffer.compare(await src.read(off, len), bytes.subarray(off, off + len)),
          `[${off}, +${len})`,
        ).toBe(0);
      expect(await src.size()).toBe(bytes.length);
    } finally {
      await opened.release();
    }
  });
});
