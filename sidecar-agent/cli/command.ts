/** @module sidecar-agent/cli/command — the shape every `thanos-edge` subcommand has. */

export interface Command {
  /** Words that select the command, e.g. `['tsdb', 'dump']`. */
  readonly path: readonly string[];
  /** Other word sequences that select it too (e.g. `['bucket', 'ls']` for `tools bucket ls`). */
  readonly aliases?: readonly (readonly string[])[];
  readonly summary: string;
  /** Returns the process exit code. Writes its output to stdout; errors to stderr. */
  run(args: readonly string[]): Promise<number>;
}

/** Raised for bad flags or arguments; main prints the message and usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What selects and lists a command, known without loading its module. */
export type CommandInfo = Omit<Command, 'run'>;

/**
 * A command whose module is imported when it runs: the bundle makes each such module its own
 * chunk, so `thanos-edge sidecar` does not load (nor keep in memory) the other commands' code.
 */
export function lazyCommand(info: CommandInfo, load: () => Promise<Command>): Command {
  return { ...info, run: async (args) => (await load()).run(args) };
}
