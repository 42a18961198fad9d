/**
 * @module test/helpers/compact-process — `thanos-edge compact` as its own process, as a user runs
 * it (the bin, hence the bundle): `runCompact` waits for the exit; `spawnCompact` hands back the
 * process to kill it midway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AGENT_BIN } from './agent-process.ts';

export interface CompactRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: string;
}

export interface CompactProcess {
  readonly proc: ChildProcess;
  readonly done: Promise<CompactRun>;
  /** stderr so far. */
  stderr(): string;
}

export function spawnCompact(args: readonly string[]): CompactProcess {
  const proc = spawn(
    process.execPath,
    [AGENT_BIN, 'compact', '--http-address=127.0.0.1:0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let stdout = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  proc.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  const done = new Promise<CompactRun>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, stderr, stdout })),
  );
  return { proc, done, stderr: () => stderr };
}

export async function runCompact(args: readonly string[]): Promise<CompactRun> {
  return spawnCompact(args).done;
}

/** Any `thanos-edge` command (bucket tools), to its exit. */
export function runCli(args: readonly string[]): Promise<CompactRun> {
  const proc = spawn(process.execPath, [AGENT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  proc.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  return new Promise((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, stderr, stdout })),
  );
}
