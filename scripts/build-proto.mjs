// Generates static protobufjs code (no eval, so it runs in workerd) from core/storeapi/proto/*.proto
// into core/storeapi/proto/gen/. Generated output is never committed; npm install regenerates it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'core', 'storeapi', 'proto');
const out = join(protoDir, 'gen');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', 'protobufjs-cli', 'bin', name);
for (const file of readdirSync(protoDir).filter((f) => f.endsWith('.proto'))) {
  const base = join(out, file.replace(/\.proto$/, ''));
  execFileSync(
    process.execPath,
    [
      bin('pbjs'),
      '-t',
      'static-module',
      '-w',
      'es6',
      '--es6',
      '--force-number',
      '--keep-case',
      '--no-create',
      '--no-verify',
      '--no-convert',
      '--no-delimited',
      // A root per file: infopb's package thanos.info and storepb's thanos would otherwise share
      // protobufjs's default root, and the later file's `thanos` namespace replace the other's.
      '-r',
      file.replace(/\.proto$/, ''),
      '-o',
      `${base}.js`,
      join(protoDir, file),
    ],
    { stdio: 'inherit' },
  );
  numbersNotLongs(`${base}.js`);
  execFileSync(process.execPath, [bin('pbts'), '-o', `${base}.d.ts`, `${base}.js`], {
    stdio: 'inherit',
  });
}

// int64 fields decode to plain numbers in every runtime (timestamps fit in 2^53). Left alone,
// protobufjs returns Long objects where it can `require('long')` (Node) and numbers where it
// cannot (the Worker bundle), and Number(Long) goes through a decimal string: the sidecar spent
// a fifth of its CPU there. Set before the generated defaults are built.
function numbersNotLongs(path) {
  const anchor = 'import $protobuf from "protobufjs/minimal.js";\n';
  const src = readFileSync(path, 'utf8');
  if (!src.includes(anchor)) throw new Error(`${path}: protobufjs import not found`);
  writeFileSync(
    path,
    src.replace(
      anchor,
      `${anchor}if ($protobuf.util.Long) { $protobuf.util.Long = undefined; $protobuf.configure(); }\n`,
    ),
  );
}
