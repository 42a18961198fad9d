/**
 * @module test/helpers/block-dir — in-memory block directories for reader tests: load a block
 * from disk into a Map of files, mutate bytes, open it through MemorySource.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../../core/errors.ts';
import { newMatcher } from '../../core/labels/matcher.ts';
import { Block, type BlockDir } from '../../core/tsdb/block-reader.ts';
import { decodeSeriesSamples } from '../../core/tsdb/series-samples.ts';
import { MemorySource, type ByteSource } from '../../core/tsdb/source.ts';

export type BlockFiles = Map<string, Uint8Array>;

/** Every file of a block directory (`meta.json`, `index`, `chunks/000001`, …). */
export async function loadBlockFiles(dir: string): Promise<BlockFiles> {
  const files: BlockFiles = new Map();
  for (const name of await readdir(dir, { recursive: true, withFileTypes: false })) {
    const path = join(dir, name);
    try {
      files.set(name.split('\\').join('/'), new Uint8Array(await readFile(path)));
    } catch {
      // a directory
    }
  }
  return files;
}

/** A BlockDir over in-memory files; a missing file rejects with NotFoundError. */
export function memoryBlockDir(files: BlockFiles): BlockDir {
  return {
    async open(name: string): Promise<ByteSource> {
      const b = files.get(name);
      if (!b) throw new NotFoundError(`${name}: no such file`);
      return new MemorySource(name, b);
    },
  };
}

export function cloneFiles(files: BlockFiles): BlockFiles {
  return new Map([...files].map(([k, v]) => [k, v.slice()]));
}

/**
 * Opens a block and reads all of it: label names and values, every postings list, every
 * series through select, every sample. Returns the number of samples.
 */
export async function readEverything(dir: BlockDir, id?: string): Promise<number> {
  const b = await Block.open(dir, { id });
  let n = 0;
  for (const name of b.index.labelNames()) {
    const values = b.index.labelValues(name);
    const p = await b.index.postings(name, values);
    if (p.length === 0 && values.length > 0) throw new Error(`no postings for ${name}`);
  }
  const all = await b.index.allPostings();
  await b.index.seriesBatch(all);
  for await (const s of b.select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity)) {
    n += decodeSeriesSamples(s, -Infinity, Infinity, b.id).length;
  }
  return n;
}
