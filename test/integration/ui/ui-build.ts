/**
 * @module test/integration/ui/ui-build — rebuilds ui/dist for the browser suites only when a
 * source is newer than the bundle. The build empties ui/dist first, so an unconditional rebuild
 * in one suite pulls the assets from under a Worker another suite is serving them from (pages
 * then fail with HTTP errors when the suites run in parallel).
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..', '..', '..');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? await newestSource(p) : (await stat(p)).mtimeMs);
  }
  return newest;
}

export async function ensureUiBuilt(): Promise<void> {
  const built = await stat(join(root, 'ui', 'dist', 'app.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = Math.max(
    await newestSource(join(root, 'ui', 'src')),
    (await stat(join(root, 'ui', 'index.html'))).mtimeMs,
  );
  if (built > sources) return;
  await promisify(execFile)(process.execPath, [join(root, 'scripts', 'build-ui.mjs')], {
    cwd: root,
  });
}
