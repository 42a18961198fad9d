/**
 * @module scripts/build-ui — bundles the query UI (ui/src/main.ts, its CSS and ui/index.html) with
 * esbuild into ui/dist/, the Worker's static-assets directory (wrangler.toml [assets]).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'ui', 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: { app: join(root, 'ui', 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  outdir: dist,
  logLevel: 'warning',
});
await copyFile(join(root, 'ui', 'index.html'), join(dist, 'index.html'));
console.log('ui: built ui/dist');
