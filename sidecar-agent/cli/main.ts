/** @module sidecar-agent/cli/main — dispatches `thanos-edge <words…>` to the longest matching command. */
import { UsageError, type Command } from './command.ts';
import { commands } from './commands.ts';
import {
  installCrc32cKernelNode,
  installQueryKernelsNode,
  installSnappyKernelNode,
} from '../wasm.ts';
import { versionText } from './version.ts';

/** Whether `words` start the path (or an alias) of `c`. */
const under = (c: Command, words: readonly string[]): boolean =>
  [c.path, ...(c.aliases ?? [])].some((p) => words.every((w, i) => p[i] === w));

/** The commands under `prefix` (all for an empty prefix), one line each. */
function usage(prefix: readonly string[]): string {
  const lines = commands
    .filter((c) => under(c, prefix))
    .map((c) => `  ${c.path.join(' ').padEnd(36)} ${c.summary}`);
  const what = prefix.length > 0 ? prefix.join(' ') : '<command>';
  return `usage: thanos-edge ${what} [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

function select(
  argv: readonly string[],
): { command: Command; rest: readonly string[] } | undefined {
  let best: { command: Command; words: number } | undefined;
  for (const c of commands) {
    for (const path of [c.path, ...(c.aliases ?? [])]) {
      if (path.every((w, i) => argv[i] === w) && (!best || path.length > best.words))
        best = { command: c, words: path.length };
    }
  }
  return best ? { command: best.command, rest: argv.slice(best.words) } : undefined;
}

/** Whether `flag` is among the flags (before a `--` that ends them). */
function hasFlag(argv: readonly string[], ...flags: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => flags.includes(a));
}

export async function main(argv: readonly string[]): Promise<number> {
  // `--version` on any command, as kingpin's application-wide flag: print and exit 0.
  if (hasFlag(argv, '--version')) {
    process.stdout.write(versionText());
    return 0;
  }
  // `thanos-edge help [<command>…]`: as `<command> --help`.
  if (argv[0] === 'help') return main([...argv.slice(1), '--help']);
  const picked = select(argv);
  if (!picked) {
    // `thanos-edge --help`, `thanos-edge tools bucket --help`: the commands under those words.
    const words = argv.filter((a) => !a.startsWith('-'));
    const help = hasFlag(argv, '--help', '-h', '--help-long');
    const known = commands.some((c) => under(c, words));
    if (help && known) {
      process.stdout.write(usage(words));
      return 0;
    }
    process.stderr.write(usage(known ? words : []));
    return 2;
  }
  try {
    // Every command reads or writes checksummed TSDB files: the WASM CRC-32C kernel first (and
    // the snappy decoder for WAL records, the WASM points writer for the commands that answer
    // queries).
    await installCrc32cKernelNode();
    await installSnappyKernelNode();
    await installQueryKernelsNode();
    return await picked.command.run(picked.rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`thanos-edge ${picked.command.path.join(' ')}: ${err.message}\n`);
      return 2;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`thanos-edge ${picked.command.path.join(' ')}: ${msg}\n`);
    return 1;
  }
}
