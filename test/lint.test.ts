/**
 * @module test/lint.test — `npm run lint` (scripts/lint.mjs): every rule fires on a deliberate
 * violation, look-alikes (strings, comments, locals, property names, types) do not, cycles are
 * printed as paths, the command exits 1 with `file:line: rule: message` lines on a bad tree — and
 * the real tree passes.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCycles, formatFinding, lintSource, lintTree } from '../scripts/lint.mjs';
import { makeTmpDir, type TmpDir } from './helpers/tmp.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LINT = join(ROOT, 'scripts', 'lint.mjs');

/** `file:line: rule` of each finding for one file's text. */
function rules(file: string, text: string): string[] {
  return lintSource(file, text).findings.map((f) => `${f.line}: ${f.rule}`);
}

describe('no-runtime-import', () => {
  it('fires on node:*, cloudflare:* and bare Node built-ins, however imported', () => {
    const text = [
      "import { readFile } from 'node:fs/promises';",
      "import type { Readable } from 'node:stream';",
      "import { DurableObject } from 'cloudflare:workers';",
      "import { join } from 'path';",
      "import { readFileSync } from 'fs/promises';",
      "export { createHash } from 'crypto';",
      "const os = await import('node:os');",
      "const zlib = require('zlib');",
      "import util = require('util');",
      "type T = import('node:buffer').Buffer;",
    ].join('\n');
    expect(rules('core/a/b.ts', text)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `${i + 1}: no-runtime-import`),
      // require is also a Node global.
      '8: no-runtime-global',
    ]);
    expect(lintSource('core/a/b.ts', text).findings[0]!.message).toContain("'node:fs/promises'");
  });

  it('holds for test files too', () => {
    expect(rules('core/a/b.test.ts', "import { tmpdir } from 'node:os';")).toEqual([
      '1: no-runtime-import',
    ]);
  });

  it('ignores packages, relative files, and imports written in strings or comments', () => {
    const text = [
      "import { Hono } from 'hono';",
      "import { parse } from 'yaml';",
      "import { x } from './fs.ts';",
      "// import { readFile } from 'node:fs';",
      "/* const p = require('path'); */",
      'const s = "import { join } from \'node:path\'";',
      "const t = `require('fs')`;",
    ].join('\n');
    expect(rules('core/a/b.ts', text)).toEqual([]);
  });
});

describe('no-shell-import', () => {
  it('fires on imports that reach into worker/, sidecar-agent/, scripts/, ui/ or test/', () => {
    const text = [
      "import { env } from '../../worker/env.ts';",
      "import { main } from '../../sidecar-agent/cli/main.ts';",
      "import { data } from '../../scripts/lib/bench-data.ts';",
      "import { panel } from '../../ui/src/panel.ts';",
      "import { freePort } from '../../test/helpers/ports.ts';",
      "export * from '../../test/integration/regex-cases.ts';",
    ].join('\n');
    expect(rules('core/a/b.ts', text)).toEqual(
      Array.from({ length: 6 }, (_, i) => `${i + 1}: no-shell-import`),
    );
  });

  it('lets a test beside a core file use test/helpers/, and nothing else of test/', () => {
    const text = [
      "import { freePort } from '../../test/helpers/ports.ts';",
      "import { cases } from '../../test/integration/regex-cases.ts';",
      "import { env } from '../../worker/env.ts';",
    ].join('\n');
    expect(rules('core/a/b.test.ts', text)).toEqual(['2: no-shell-import', '3: no-shell-import']);
  });

  it('does not confuse core files with shell folders of the same name', () => {
    expect(rules('core/a/b.ts', "import { x } from '../test/helpers.ts';")).toEqual([]);
    expect(rules('core/a/b.ts', "import { x } from './worker/pool.ts';")).toEqual([]);
  });
});

describe('no-layer-import', () => {
  it('fires when core/tsdb imports core/objstore or the other way round', () => {
    const fromTsdb = [
      "import type { Bucket } from '../../objstore/bucket.ts';",
      "import { ChunkReader } from '../chunk-reader.ts';",
    ].join('\n');
    expect(rules('core/tsdb/writer/sink2.ts', fromTsdb)).toEqual(['1: no-layer-import']);
    expect(rules('core/objstore/x.ts', "import { Block } from '../tsdb/block-reader.ts';")).toEqual(
      ['1: no-layer-import'],
    );
  });

  it('lets core/block join them', () => {
    const text = [
      "import type { Bucket } from '../objstore/bucket.ts';",
      "import { Block } from '../tsdb/block-reader.ts';",
    ].join('\n');
    expect(rules('core/block/y.ts', text)).toEqual([]);
  });
});

describe('no-runtime-global', () => {
  it('fires on Node and Worker-only globals used as values', () => {
    const text = [
      'const home = process.env.HOME;',
      "const b = Buffer.from('x');",
      'const d = __dirname + __filename;',
      'const m = require;',
      'const c = caches.default;',
      'const r = new HTMLRewriter();',
      'const p = new WebSocketPair();',
      'class Shard extends DurableObject {}',
      "const w = navigator.userAgent === 'Cloudflare-Workers';",
      'const e = globalThis.process;',
      'const f = import.meta.dirname;',
      'setImmediate(() => {});',
      'const o = { process };',
    ].join('\n');
    expect(rules('core/a/b.ts', text)).toEqual([
      '1: no-runtime-global',
      '2: no-runtime-global',
      '3: no-runtime-global',
      '3: no-runtime-global',
      '4: no-runtime-global',
      '5: no-runtime-global',
      '6: no-runtime-global',
      '7: no-runtime-global',
      '8: no-runtime-global',
      '9: no-runtime-global',
      '10: no-runtime-global',
      '11: no-runtime-global',
      '12: no-runtime-global',
      '13: no-runtime-global',
    ]);
  });

  it('holds for test files too', () => {
    expect(rules('core/a/b.test.ts', "expect(Buffer.from('x')).toBeTruthy();")).toEqual([
      '1: no-runtime-global',
    ]);
  });

  it('ignores locals, parameters, property names, types, strings and comments', () => {
    const text = [
      'const process = (step: number) => step;',
      'process(1);',
      'function f(Buffer: Uint8Array, caches: Map<string, number>) { return Buffer.length + caches.size; }',
      'const o = { process: 1, Buffer: 2 };',
      'o.process + o.Buffer;',
      'let t: Buffer | undefined;',
      'interface Env { caches: CacheStorage; navigator: { userAgent: string } }',
      'type D = typeof DurableObject;',
      "const s = 'process.env.HOME';",
      '// Buffer.from(x)',
      'for (const require of [1]) require;',
      'try { f(new Uint8Array(), new Map()); } catch (__dirname) { __dirname; }',
      'class X { setImmediate() {} }',
      'const { caches: c } = { caches: 1 };',
      'const u = import.meta.url;',
    ].join('\n');
    expect(rules('core/a/b.ts', text)).toEqual([]);
  });
});

describe('import-cycle', () => {
  it('finds every cycle as a path, madge-style', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['b']],
      ['e', ['e2']],
      ['e2', []],
    ]);
    expect(findCycles(graph)).toEqual([
      ['a', 'b', 'a'],
      ['b', 'c', 'd', 'b'],
    ]);
    expect(
      findCycles(
        new Map([
          ['top', ['left', 'right']],
          ['left', ['bottom']],
          ['right', ['bottom']],
          ['bottom', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('reports a cycle in core/ at the import that starts it, type-only imports included', () => {
    const sources = new Map([
      ['core/e/evaluator.ts', "import { x } from './other.ts';\nimport { s } from './sub.ts';\n"],
      ['core/e/sub.ts', "import type { Ctx } from './evaluator.ts';\n"],
      ['core/e/other.ts', 'export const x = 1;\n'],
      ['core/f/a.ts', "export * from '../f/b.js';\n"],
      ['core/f/b.ts', "import '../f';\n"],
      ['core/f/index.ts', "export { a } from './a.ts';\n"],
    ]);
    expect(lintTree('/nonexistent', sources).map(formatFinding)).toEqual([
      'core/e/evaluator.ts:2: import-cycle: core/e/evaluator.ts → core/e/sub.ts → core/e/evaluator.ts',
      'core/f/a.ts:1: import-cycle: core/f/a.ts → core/f/b.ts → core/f/index.ts → core/f/a.ts',
    ]);
  });
});

describe('npm run lint', () => {
  let tmp: TmpDir;
  beforeAll(async () => {
    tmp = await makeTmpDir('lint-');
  });
  afterAll(async () => {
    await tmp.remove();
  });

  async function put(file: string, text: string): Promise<void> {
    await mkdir(dirname(join(tmp.path, file)), { recursive: true });
    await writeFile(join(tmp.path, file), text);
  }

  it('exits 1 and lists file:line: rule: message for a tree with one violation of each rule', async () => {
    await put(
      'core/x/fs-user.ts',
      "// reads files\nimport { readFile } from 'node:fs/promises';\n",
    );
    await put('core/x/shell.ts', "import { env } from '../../worker/env.ts';\n");
    await put('core/x/global.ts', 'export const home = process.env.HOME;\n');
    await put('core/x/a.ts', "import { b } from './b.ts';\nexport const a = 1;\n");
    await put('core/x/b.ts', "import { a } from './a.ts';\nexport const b = a;\n");
    // Generated code and test data are not linted.
    await put('core/storeapi/proto/gen/storepb.js', "import fs from 'fs';\n");
    await put('core/x/testdata/case.ts', "import fs from 'fs';\n");
    const err = await promisify(execFile)(process.execPath, [LINT, tmp.path]).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err!.stdout.split('\n').filter((l) => l.startsWith('core/'))).toEqual([
      'core/x/a.ts:1: import-cycle: core/x/a.ts → core/x/b.ts → core/x/a.ts',
      "core/x/fs-user.ts:2: no-runtime-import: 'node:fs/promises' is a node:* module; core/ uses web APIs only (the shells wire runtimes in)",
      'core/x/global.ts:1: no-runtime-global: process is Node-only: take the value as an option',
      "core/x/shell.ts:1: no-shell-import: '../../worker/env.ts' reaches into worker/; core/ must not depend on it",
    ]);
  });

  it('passes on the real tree', async () => {
    expect(lintTree(ROOT).map(formatFinding)).toEqual([]);
    const { stdout } = await promisify(execFile)(process.execPath, [LINT], { cwd: ROOT });
    expect(stdout).toContain('lint: core/ is clean');
  });
});
