// Generates static protobufjs code (no eval, so it runs in workerd) from core/storeapi/proto/*.proto
// into core/storeapi/proto/gen/. Generated output is never committed; npm install regenerates it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'core', 'storeapi', 'proto');
const out = join(protoDir, 'gen');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', 'protobufjs-cli', 'bin', name);
for (const file of readdirSync(protoDir).filter((f) => f.endsWith('.proto'))) {
  const base = join(out, file.replace(/\.proto$/, ''));
  execFileSync(process.execPath, [bin('pbjs'), '-t', 'static-module', '-w', 'es6', '--es6',
    '--force-number', '--keep-case', '--no-create', '--no-verify', '--no-convert', '--no-delimited',
    '-o', `${base}.js`, join(protoDir, file)], { stdio: 'inherit' });
  execFileSync(process.execPath, [bin('pbts'), '-o', `${base}.d.ts`, `${base}.js`], { stdio: 'inherit' });
}
