// Builds wasm/assembly/*.ts into wasm/build/ with AssemblyScript. Generated output is never committed.
// Each top-level wasm/assembly/<name>.ts is one module (wasm/build/<name>.wasm); subfolders hold
// its parts. SIMD is used (byte reversal of the decode input); workerd and Node 20 both have it.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'wasm', 'assembly');
const out = join(root, 'wasm', 'build');
mkdirSync(out, { recursive: true });
const entries = existsSync(src)
  ? readdirSync(src).filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
  : [];
for (const entry of entries) {
  const name = entry.replace(/\.ts$/, '');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'),
      join(src, entry),
      '--outFile',
      join(out, `${name}.wasm`),
      '--runtime',
      'stub',
      '--bindings',
      'raw',
      '-O3',
      '--noAssert',
      '--enable',
      'simd',
    ],
    { stdio: 'inherit', cwd: root },
  );
}
