/**
 * @module sidecar-agent/tsdb/dir-sink — a BlockSink onto the local filesystem, laid out as
 * Prometheus does: files go to `<dir>/<ulid>.tmp-for-creation/` and `commit()` renames that to
 * `<dir>/<ulid>`, so a block directory appears whole or not at all (the tmp suffix is the one
 * Prometheus ignores and cleans up on start).
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlockSink, SinkData } from '../../core/tsdb/writer/sink.ts';

/** Prometheus's tmpForCreationBlockDirSuffix. */
export const TMP_FOR_CREATION_SUFFIX = '.tmp-for-creation';

export interface DirBlockSinkOptions {
  /** fsync each file before it counts as written (default true). */
  fsync?: boolean;
}

export class DirBlockSink implements BlockSink {
  readonly dir: string;
  readonly tmpDir: string;
  readonly #fsync: boolean;

  constructor(parentDir: string, ulid: string, opts: DirBlockSinkOptions = {}) {
    this.dir = join(parentDir, ulid);
    this.tmpDir = this.dir + TMP_FOR_CREATION_SUFFIX;
    this.#fsync = opts.fsync ?? true;
  }

  async put(name: string, data: SinkData): Promise<void> {
    const path = join(this.tmpDir, name);
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'w');
    try {
      if (data instanceof Uint8Array) {
        await fh.write(data);
      } else {
        for await (const part of data as unknown as AsyncIterable<Uint8Array>) {
          let off = 0;
          while (off < part.length) off += (await fh.write(part, off)).bytesWritten;
        }
      }
      if (this.#fsync) await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async commit(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await rename(this.tmpDir, this.dir);
  }

  async abort(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}

/** A SinkFactory writing blocks under `parentDir`. */
export function dirSinkFactory(
  parentDir: string,
  opts: DirBlockSinkOptions = {},
): (ulid: string) => DirBlockSink {
  return (ulid) => new DirBlockSink(parentDir, ulid, opts);
}
