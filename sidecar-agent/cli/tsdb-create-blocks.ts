/**
 * @module sidecar-agent/cli/tsdb-create-blocks — `thanos-edge tsdb create-blocks-from openmetrics
 * <input file> [<output dir>]`, promtool 2.42's backfill (cmd/promtool/backfill.go) rebuilt:
 * one pass for the time range, then per block window (2h by default, aligned to the window
 * size) one pass that appends the window's samples to a head-like builder in batches of 5000
 * and writes a block. Same flags (`-r/--human-readable`, `-q/--quiet`, `--max-block-duration`),
 * same block boundaries and chunks, same table of created blocks.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OpenMetricsParser } from '../../core/textparse/openmetrics.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import { goDiv } from '../../core/gocompat/math.ts';
import { DEFAULT_BLOCK_DURATION } from '../../core/tsdb/writer/block-writer.ts';
import { HeadBlockBuilder } from '../../core/tsdb/writer/head.ts';
import { dirSinkFactory } from '../tsdb/dir-sink.ts';
import { UsageError, type Command } from './command.ts';
import { goParseDuration } from '../../core/gocompat/duration.ts';
import { formatBlockTable } from './tsdb-create-blocks-format.ts';

/** promtool commits its appender every this many samples. */
export const MAX_SAMPLES_IN_APPENDER = 5000;

const USAGE = `usage: thanos-edge tsdb create-blocks-from openmetrics [<flags>] <input file> [<output directory>]

Import samples from OpenMetrics input and produce TSDB blocks.

Flags:
  -r, --human-readable            Print human readable values.
  -q, --quiet                     Do not print created blocks.
      --max-block-duration=<d>    Maximum duration created blocks may span. Anything less than 2h is ignored.
`;

export interface CreateBlocksArgs {
  input: string;
  output: string;
  humanReadable: boolean;
  quiet: boolean;
  maxBlockDurationMs: number;
}

/** Parses the command's arguments; undefined for --help. */
export function parseCreateBlocksArgs(argv: readonly string[]): CreateBlocksArgs | undefined {
  const pos: string[] = [];
  const out: CreateBlocksArgs = {
    input: '',
    output: 'data/',
    humanReadable: false,
    quiet: false,
    maxBlockDurationMs: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return undefined;
    else if (a === '-r' || a === '--human-readable') out.humanReadable = true;
    else if (a === '-q' || a === '--quiet') out.quiet = true;
    else if (a === '--max-block-duration' || a.startsWith('--max-block-duration=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new UsageError('--max-block-duration needs a value');
      out.maxBlockDurationMs = goParseDuration(v);
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown flag ${a}`);
    else pos.push(a);
  }
  if (pos.length === 0) throw new UsageError('required argument <input file> not provided');
  if (pos.length > 2) throw new UsageError(`unexpected ${pos[2]}`);
  out.input = pos[0]!;
  if (pos[1] !== undefined) out.output = pos[1];
  return out;
}

/** tsdb.ExponentialBlockRanges(2h, 10, 3) and the largest one not above the requested maximum. */
export function compatibleBlockDuration(maxBlockDurationMs: number): number {
  if (maxBlockDurationMs <= DEFAULT_BLOCK_DURATION) return DEFAULT_BLOCK_DURATION;
  const ranges: number[] = [];
  let r = DEFAULT_BLOCK_DURATION;
  for (let i = 0; i < 10; i++, r *= 3) ranges.push(r);
  let idx = ranges.length - 1;
  for (let i = 0; i < ranges.length; i++) {
    if (ranges[i]! > maxBlockDurationMs) {
      idx = i - 1;
      break;
    }
  }
  return ranges[idx]!;
}

/** Streams the file through a fresh parser, calling onSeries for each sample line. */
async function scan(path: string, onSeries: (p: OpenMetricsParser) => void): Promise<void> {
  const p = new OpenMetricsParser();
  const pump = (): boolean => {
    for (;;) {
      const e = p.next();
      if (e === 'more') return false;
      if (e === 'eof') return true;
      if (e === 'series') onSeries(p);
    }
  };
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      p.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      pump();
    }
  } finally {
    stream.destroy();
  }
  p.close();
  pump();
}

class Progress {
  readonly #tty = Boolean(process.stderr.isTTY);
  #last = 0;
  update(msg: string): void {
    if (!this.#tty) return;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    process.stderr.write(`\r\x1b[K${msg}`);
  }
  clear(): void {
    if (this.#tty) process.stderr.write('\r\x1b[K');
  }
}

/** Block.Size(): chunk segments + index + tombstones + meta.json. */
async function blockSize(dir: string): Promise<number> {
  let n = 0;
  for (const f of ['index', 'tombstones', 'meta.json'])
    n += (await stat(join(dir, f)).catch(() => ({ size: 0 }))).size;
  for (const f of await readdir(join(dir, 'chunks')).catch(() => [] as string[]))
    n += (await stat(join(dir, 'chunks', f))).size;
  return n;
}

export interface BackfillResult {
  blocks: BlockMeta[];
}

/** Exact floor(a / b) for integers held in numbers. */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

interface SeenSeries {
  bytes: Uint8Array;
  ref: number;
}

/** The window's ref for the parser's current series, created on first sight. */
function lookupSeries(w: Window, p: OpenMetricsParser): number {
  const h = p.seriesHash();
  let list = w.refs.get(h);
  if (list !== undefined) {
    for (const e of list) if (p.seriesEquals(e.bytes)) return e.ref;
  } else {
    w.refs.set(h, (list = []));
  }
  const ref = w.head.seriesRef(p.labels());
  list.push({ bytes: p.seriesBytes(), ref });
  return ref;
}

/** One block window being built: promtool's per-window BlockWriter, appender and batch count. */
interface Window {
  index: number;
  head: HeadBlockBuilder;
  /** Series text (as written) → series ref, by hash; collisions are told apart by the bytes. */
  refs: Map<number, SeenSeries[]>;
  samplesCount: number;
  error?: Error;
}

export interface BackfillOptions {
  /**
   * Most samples to hold in memory at once (compressed, ~1-2 bytes each). promtool reads the
   * input once per window; here all windows that fit this budget are built in one pass, which
   * gives the same blocks because every window has its own head and batch count.
   */
  maxSamplesPerPass?: number;
}

/** The backfill itself (promtool's createBlocks); prints each block unless quiet. */
export async function backfillOpenMetrics(
  args: CreateBlocksArgs,
  print: (s: string) => void,
  opts: BackfillOptions = {},
): Promise<BackfillResult> {
  // Report an unreadable input as promtool does, before any output directory is made.
  await stat(args.input).catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      `open ${args.input}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`,
      { cause: err },
    );
  });
  await mkdir(args.output, { recursive: true });
  const progress = new Progress();
  const blockDuration = compatibleBlockDuration(args.maxBlockDurationMs);
  let maxt = -Infinity;
  let mint = Infinity;
  let lines = 0;
  // Samples per window, keyed by floor(ts / blockDuration): windows are multiples of it.
  const counts = new Map<number, number>();
  try {
    await scan(args.input, (p) => {
      if (!p.hasTimestamp) throw new Error('expected timestamp for series got none');
      const ts = p.timestamp;
      if (ts > maxt) maxt = ts;
      if (ts < mint) mint = ts;
      const w = floorDiv(ts, blockDuration);
      counts.set(w, (counts.get(w) ?? 0) + 1);
      if (++lines % 100_000 === 0) progress.update(`scanning: ${lines} samples`);
    });
  } catch (err) {
    progress.clear();
    throw new Error(`getting min and max timestamp: next: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (maxt === -Infinity) maxt = 0;
  if (mint === Infinity) mint = 0;
  // promtool aligns with Go's truncating division: before the epoch that rounds up, and
  // samples before the first window are never imported.
  mint = goDiv(mint, blockDuration) * blockDuration;
  const first = mint / blockDuration;
  const windows = [...counts.keys()].filter((w) => w >= first).sort((a, b) => a - b);

  // Consecutive windows, grouped so one pass holds at most the sample budget.
  const budget = opts.maxSamplesPerPass ?? 50_000_000;
  const groups: number[][] = [];
  let held = Infinity;
  for (const w of windows) {
    const c = counts.get(w)!;
    if (held + c > budget) {
      groups.push([]);
      held = 0;
    }
    groups[groups.length - 1]!.push(w);
    held += c;
  }

  const openSink = dirSinkFactory(args.output);
  const blocks: BlockMeta[] = [];
  let wroteHeader = false;
  let done = 0;
  for (const group of groups) {
    const byIndex = new Map<number, Window>();
    for (const index of group) {
      // promtool pretends the block is twice as large so the head accepts the whole window.
      byIndex.set(index, {
        index,
        head: new HeadBlockBuilder({ chunkRange: 2 * blockDuration }),
        refs: new Map(),
        samplesCount: 0,
      });
    }
    // After a window fails, later windows are never written (promtool stops there).
    let failedAt = Infinity;
    let seen = 0;
    await scan(args.input, (p) => {
      const ts = p.timestamp;
      const index = floorDiv(ts, blockDuration);
      if (index >= failedAt) return;
      const w = byIndex.get(index);
      if (w === undefined) return;
      try {
        w.head.append(lookupSeries(w, p), ts, p.value);
      } catch (err) {
        w.error = new Error(`add sample: ${(err as Error).message}`, { cause: err });
        failedAt = index;
        return;
      }
      if (++w.samplesCount >= MAX_SAMPLES_IN_APPENDER) {
        w.head.commit();
        w.samplesCount = 0;
      }
      if (++seen % 100_000 === 0)
        progress.update(
          `blocks ${done + 1}-${done + group.length} of ${windows.length}: ${seen} samples`,
        );
    });
    for (const index of group) {
      const w = byIndex.get(index)!;
      byIndex.delete(index);
      try {
        if (w.error) throw w.error;
        w.head.commit();
        const meta = await w.head.flush(openSink);
        if (meta) {
          blocks.push(meta);
          if (!args.quiet) {
            progress.clear();
            print(
              formatBlockTable(
                [{ meta, size: await blockSize(join(args.output, meta.ulid)) }],
                !wroteHeader,
                args.humanReadable,
              ),
            );
            wroteHeader = true;
          }
        }
      } catch (err) {
        progress.clear();
        throw new Error(`block creation: process blocks: ${(err as Error).message}`, {
          cause: err,
        });
      }
      done++;
    }
  }
  progress.clear();
  return { blocks };
}

export const tsdbCreateBlocksCommand: Command = {
  path: ['tsdb', 'create-blocks-from', 'openmetrics'],
  summary: 'Import samples from OpenMetrics input and produce TSDB blocks (as promtool).',
  async run(argv) {
    const args = parseCreateBlocksArgs(argv);
    if (!args) {
      process.stdout.write(USAGE);
      return 0;
    }
    await backfillOpenMetrics(args, (s) => process.stdout.write(s));
    return 0;
  },
};
