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
import { labelsToString } from '../../core/labels/labels.ts';
import { OpenMetricsParser } from '../../core/textparse/openmetrics.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import { goDiv } from '../../core/tsdb/writer/chunk-cutter.ts';
import { DEFAULT_BLOCK_DURATION } from '../../core/tsdb/writer/block-writer.ts';
import { HeadBlockBuilder } from '../../core/tsdb/writer/head.ts';
import { dirSinkFactory } from '../tsdb/dir-sink.ts';
import { UsageError, type Command } from './command.ts';
import { formatBlockTable, parseGoDuration } from './tsdb-create-blocks-format.ts';

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
  const out: CreateBlocksArgs = { input: '', output: 'data/', humanReadable: false, quiet: false, maxBlockDurationMs: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return undefined;
    else if (a === '-r' || a === '--human-readable') out.humanReadable = true;
    else if (a === '-q' || a === '--quiet') out.quiet = true;
    else if (a === '--max-block-duration' || a.startsWith('--max-block-duration=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new UsageError('--max-block-duration needs a value');
      out.maxBlockDurationMs = parseGoDuration(v);
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
  for (const f of ['index', 'tombstones', 'meta.json']) n += (await stat(join(dir, f)).catch(() => ({ size: 0 }))).size;
  for (const f of await readdir(join(dir, 'chunks')).catch(() => [] as string[])) n += (await stat(join(dir, 'chunks', f))).size;
  return n;
}

export interface BackfillResult {
  blocks: BlockMeta[];
}

/** The backfill itself (promtool's createBlocks); prints each block unless quiet. */
export async function backfillOpenMetrics(args: CreateBlocksArgs, print: (s: string) => void): Promise<BackfillResult> {
  await mkdir(args.output, { recursive: true });
  const progress = new Progress();
  let maxt = -Infinity;
  let mint = Infinity;
  let lines = 0;
  try {
    await scan(args.input, (p) => {
      if (!p.hasTimestamp) throw new Error('expected timestamp for series got none');
      const ts = p.timestamp;
      if (ts > maxt) maxt = ts;
      if (ts < mint) mint = ts;
      if (++lines % 100_000 === 0) progress.update(`scanning: ${lines} samples`);
    });
  } catch (err) {
    progress.clear();
    throw new Error(`getting min and max timestamp: next: ${(err as Error).message}`, { cause: err });
  }
  if (maxt === -Infinity) maxt = 0;
  if (mint === Infinity) mint = 0;

  const blockDuration = compatibleBlockDuration(args.maxBlockDurationMs);
  mint = goDiv(mint, blockDuration) * blockDuration;
  const openSink = dirSinkFactory(args.output);
  const blocks: BlockMeta[] = [];
  let wroteHeader = false;
  let nextSampleTs = Infinity;
  const windows = Math.floor((maxt - mint) / blockDuration) + 1;
  for (let t = mint, w = 1; t <= maxt; t += blockDuration, w++) {
    const tsUpper = t + blockDuration;
    // The next sample is not in this window: skip a pass over the file.
    if (nextSampleTs !== Infinity && nextSampleTs >= tsUpper) continue;
    nextSampleTs = Infinity;
    // promtool pretends the block is twice as large so the head accepts the whole window.
    const head = new HeadBlockBuilder({ chunkRange: 2 * blockDuration });
    const refs = new Map<string, number>();
    let samplesCount = 0;
    try {
      await scan(args.input, (p) => {
        if (!p.hasTimestamp) throw new Error(`expected timestamp for series ${labelsToString(p.labels())}, got none`);
        const ts = p.timestamp;
        if (ts < t) return;
        if (ts >= tsUpper) {
          if (ts < nextSampleTs) nextSampleTs = ts;
          return;
        }
        const key = p.seriesKey();
        let ref = refs.get(key);
        if (ref === undefined) {
          ref = head.seriesRef(p.labels());
          refs.set(key, ref);
        }
        try {
          head.append(ref, ts, p.value);
        } catch (err) {
          throw new Error(`add sample: ${(err as Error).message}`, { cause: err });
        }
        if (++samplesCount >= MAX_SAMPLES_IN_APPENDER) {
          head.commit();
          samplesCount = 0;
          progress.update(`block ${w}/${windows}: ${head.numSamples} samples, ${head.numSeries} series`);
        }
      });
      head.commit();
      const meta = await head.flush(openSink);
      if (meta) {
        blocks.push(meta);
        if (!args.quiet) {
          progress.clear();
          print(formatBlockTable([{ meta, size: await blockSize(join(args.output, meta.ulid)) }], !wroteHeader, args.humanReadable));
          wroteHeader = true;
        }
      }
    } catch (err) {
      progress.clear();
      throw new Error(`block creation: process blocks: ${(err as Error).message}`, { cause: err });
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
