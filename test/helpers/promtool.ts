/**
 * @module test/helpers/promtool — runs the real promtool 2.42 (Debian, /usr/bin/promtool):
 * build blocks from OpenMetrics text and dump a TSDB directory, for differential tests.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUlid } from '../../core/tsdb/meta.ts';

export const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command, collecting stdout as bytes (dumps are tens of MB). */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
  });
}

/**
 * `promtool tsdb create-blocks-from openmetrics` of `text` into `<dir>/db` (created), plus an
 * empty `wal/` so that `promtool tsdb dump` (which opens the DB with its WAL) accepts the dir.
 * Returns the db path and the block ULIDs.
 */
export async function promtoolCreateBlocks(
  text: string,
  dir: string,
): Promise<{ db: string; blocks: string[] }> {
  const input = join(dir, 'input.om');
  const db = join(dir, 'db');
  await writeFile(input, text);
  const r = await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', input, db]);
  if (r.code !== 0) throw new Error(`promtool create-blocks-from failed (${r.code}): ${r.stderr}`);
  await mkdir(join(db, 'wal'), { recursive: true });
  const blocks = (await readdir(db)).filter(isUlid).sort();
  return { db, blocks };
}

export interface DumpFlags {
  minTime?: number | string;
  maxTime?: number | string;
  match?: string;
}

export function dumpFlagArgs(f: DumpFlags): string[] {
  const a: string[] = [];
  if (f.minTime !== undefined) a.push(`--min-time=${f.minTime}`);
  if (f.maxTime !== undefined) a.push(`--max-time=${f.maxTime}`);
  if (f.match !== undefined) a.push(`--match=${f.match}`);
  return a;
}

/** `promtool tsdb dump [flags] <db>` → stdout bytes; throws on a non-zero exit. */
export async function promtoolDump(db: string, flags: DumpFlags = {}): Promise<Buffer> {
  const r = await run(PROMTOOL, ['tsdb', 'dump', ...dumpFlagArgs(flags), db]);
  if (r.code !== 0) throw new Error(`promtool tsdb dump failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
