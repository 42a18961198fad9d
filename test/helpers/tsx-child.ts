/**
 * @module test/helpers/tsx-child — runs a TypeScript file in a child Node (through tsx) with the
 * Node flags a test needs (a heap limit, --expose-gc), from the repository root, and collects
 * what it printed and how it exited.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChildRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export async function runTsxChild(
  script: string,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): Promise<ChildRun> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, out, err };
}
