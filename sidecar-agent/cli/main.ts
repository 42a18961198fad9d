/** @module sidecar-agent/cli/main — dispatches `thanos-edge <words…>` to the longest matching command. */
import { UsageError, type Command } from './command.ts';
import { commands } from './commands.ts';

function usage(): string {
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(36)} ${c.summary}`);
  return `usage: thanos-edge <command> [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

function select(
  argv: readonly string[],
): { command: Command; rest: readonly string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length))
      best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  const picked = select(argv);
  if (!picked || (argv.includes('--help') && argv.length === 1)) {
    process.stderr.write(usage());
    return picked ? 0 : 2;
  }
  try {
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
