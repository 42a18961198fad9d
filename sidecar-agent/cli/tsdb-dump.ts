/**
 * @module sidecar-agent/cli/tsdb-dump — `thanos-edge tsdb dump [--min-time] [--max-time]
 * [--match] [<db path>]`, promtool 2.42's `tsdb dump`: opens every block of the TSDB directory
 * and replays its head (m-mapped head chunks, WAL checkpoint and segments) as promtool's
 * read-only open does, then prints each sample as `<labels> <value> <timestamp>`,
 * byte-identical to promtool.
 */
import { once } from 'node:events';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BadDataError, errorMessage } from '../../core/errors.ts';
import { goParseInt } from '../../core/gocompat/strconv.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import { parseSeriesSelector } from '../../core/labels/selector.ts';
import { Block } from '../../core/tsdb/block-reader.ts';
import { dumpBlocks } from '../../core/tsdb/dump.ts';
import { isUlid } from '../../core/tsdb/meta.ts';
import { replayHead, type Head } from '../../core/tsdb/wal/head-replay.ts';
import type { WalSegment } from '../../core/tsdb/wal/wal-reader.ts';
import { FileBlockDir } from '../tsdb/file-source.ts';
import { UsageError, type Command } from './command.ts';

/** promtool's default selector: every series. */
export const DEFAULT_MATCH = "{__name__=~'(?s:.*)'}";
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

const USAGE = `usage: thanos-edge tsdb dump [<flags>] [<db path>]

Dump samples from a TSDB.

Flags:
      --min-time=-9223372036854775808  Minimum timestamp to dump.
      --max-time=9223372036854775807   Maximum timestamp to dump.
      --match="${DEFAULT_MATCH}"  Series selector.

Args:
  [<db path>]  Database path (default is data/).
`;

export interface DumpArgs {
  db: string;
  mint: number;
  maxt: number;
  match: string;
}

/** Parses an int64 flag as kingpin does (ParseInt base 10); values beyond ±2^53 keep their order. */
function parseInt64(flag: string, v: string): number {
  try {
    return goParseInt(v, 10);
  } catch (err) {
    throw new UsageError(`${flag}: ${errorMessage(err)}`);
  }
}

export function parseDumpArgs(argv: readonly string[]): DumpArgs | undefined {
  const out: DumpArgs = {
    db: 'data/',
    mint: Number(INT64_MIN),
    maxt: Number(INT64_MAX),
    match: DEFAULT_MATCH,
  };
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return undefined;
    const m = /^--(min-time|max-time|match|enable-feature)(?:=(.*))?$/s.exec(a);
    if (m) {
      const v = m[2] ?? argv[++i];
      if (v === undefined) throw new UsageError(`expected argument for flag --${m[1]}`);
      if (m[1] === 'min-time') out.mint = parseInt64('--min-time', v);
      else if (m[1] === 'max-time') out.maxt = parseInt64('--max-time', v);
      else if (m[1] === 'match') out.match = v;
      continue;
    }
    if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown long flag '${a}'`);
    pos.push(a);
  }
  if (pos.length > 1) throw new UsageError(`unexpected ${pos[1]}`);
  if (pos[0] !== undefined) out.db = pos[0];
  return out;
}

/** Block directories of a TSDB dir: entries named by a ULID that hold a meta.json. */
export async function listBlockDirs(db: string): Promise<string[]> {
  const names = (await readdir(db)).filter(isUlid).sort();
  const dirs: string[] = [];
  for (const n of names) {
    const st = await stat(join(db, n)).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    if (!(await stat(join(db, n, 'meta.json')).catch(() => undefined))) continue;
    dirs.push(n);
  }
  return dirs;
}

/**
 * promtool parses --match with `parser.ParseMetricSelector`, which (unlike the HTTP API) accepts
 * selectors whose matchers all match "" (`{path=""}`, its own default `{__name__=~'(?s:.*)'}`).
 * parseSeriesSelector enforces the API rule, so such a selector is parsed with one extra
 * non-empty matcher in front, which is then dropped.
 */
export function parseDumpSelector(s: string): Matcher[] {
  try {
    return parseSeriesSelector(s);
  } catch (err) {
    if (!(err instanceof BadDataError) || !/at least one non-empty matcher/.test(err.message))
      throw err;
    const i = s.indexOf('{');
    const ms = parseSeriesSelector(
      `${s.slice(0, i + 1)}__thanos_edge_any__=~".+",${s.slice(i + 1)}`,
    );
    return ms.slice(1);
  }
}

/** Reads every file of `dir` whose name matches `re`, in name order. */
async function readFiles(dir: string, re: RegExp, label: string): Promise<WalSegment[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => re.test(n)).sort();
  const out: WalSegment[] = [];
  for (const n of names) {
    out.push({ name: `${label}/${n}`, bytes: new Uint8Array(await readFile(join(dir, n))) });
  }
  return out;
}

/**
 * The head as promtool's read-only open replays it: m-mapped head chunks, the last WAL
 * checkpoint, then the WAL segments after it; samples before `minValidTime` dropped.
 */
export async function loadHead(db: string, minValidTime: number): Promise<Head> {
  const wal = join(db, 'wal');
  const entries = await readdir(wal).catch(() => [] as string[]);
  let cp = -1;
  let cpName = '';
  for (const n of entries) {
    const m = /^checkpoint\.(\d+)$/.exec(n);
    if (m && Number(m[1]) > cp) {
      cp = Number(m[1]);
      cpName = n;
    }
  }
  const segments = (await readFiles(wal, /^\d+$/, 'wal')).filter(
    (s) => Number(s.name.slice(4)) > cp,
  );
  const checkpoint = cp >= 0 ? await readFiles(join(wal, cpName), /^\d+$/, `wal/${cpName}`) : [];
  const headChunks = await readFiles(join(db, 'chunks_head'), /^\d+$/, 'chunks_head');
  return replayHead({ checkpoint, segments, headChunks, minValidTime });
}

/** Writes the dump of `args.db` to `write`; resolves when done. */
export async function runDump(
  args: DumpArgs,
  write: (s: string) => Promise<void> | void,
): Promise<void> {
  const matchers = parseDumpSelector(args.match);
  const dirs: FileBlockDir[] = [];
  try {
    const blocks: Block[] = [];
    for (const name of await listBlockDirs(args.db)) {
      const dir = new FileBlockDir(join(args.db, name));
      dirs.push(dir);
      blocks.push(await Block.open(dir, { id: name }));
    }
    // As Prometheus: WAL samples older than the newest block's end are not replayed.
    const byMinTime = [...blocks].sort((a, b) => a.meta.minTime - b.meta.minTime);
    const minValidTime = byMinTime.at(-1)?.meta.maxTime ?? -Infinity;
    const head = await loadHead(args.db, minValidTime);
    await dumpBlocks(blocks, { mint: args.mint, maxt: args.maxt, matchers }, write, head);
  } finally {
    await Promise.all(dirs.map((d) => d.close()));
  }
}

export const tsdbDumpCommand: Command = {
  path: ['tsdb', 'dump'],
  summary: 'Dump samples from a TSDB (as promtool tsdb dump).',
  async run(argv) {
    const args = parseDumpArgs(argv);
    if (!args) {
      process.stdout.write(USAGE);
      return 0;
    }
    const out = process.stdout;
    await runDump(args, async (s) => {
      if (!out.write(s)) await once(out, 'drain');
    });
    return 0;
  },
};
