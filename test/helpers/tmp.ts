/** @module test/helpers/tmp — temporary directories that tests remove in afterAll. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTmpDir(prefix = 'thanos-edge-'): Promise<TmpDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
