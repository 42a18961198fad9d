/**
 * @module sidecar-agent/cli/bucket-flags — flag parsing shared by the `bucket` commands:
 * kingpin-style `--flag=value` / `--flag value`, repeatable flags, short aliases, the objstore
 * flags every Thanos bucket tool has (`--objstore.config-file`, `--objstore.config`), and
 * `bucketTool`, which makes a `tools bucket <name>` command (alias `bucket <name>`) out of its
 * flags and body: parsing, `--help`, stray arguments and Thanos flags accepted but ignored.
 */
import type { Bucket } from '../../core/objstore/bucket.ts';
import { bucketFromConfigFile, bucketFromConfigText } from '../objstore/from-config.ts';
import { errorMessage } from '../../core/errors.ts';
import { goParseDuration } from '../../core/gocompat/duration.ts';
import { JOURNALD_NOTE, newLogger, parseLogFormat, parseLogLevel, type Logger } from '../log.ts';
import { UsageError, type Command } from './command.ts';

export type FlagKind = 'string' | 'strings' | 'bool';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly short?: string;
}

export interface ParsedFlags {
  readonly values: Map<string, string[]>;
  readonly bools: Set<string>;
  readonly positional: string[];
  readonly help: boolean;
}

export const OBJSTORE_FLAGS: Record<string, FlagSpec> = {
  'objstore.config-file': { kind: 'string' },
  'objstore.config': { kind: 'string' },
};

const OBJSTORE_HELP = `  --objstore.config-file=<file>  Objstore YAML (type: S3|GCS|AZURE|FILESYSTEM).
  --objstore.config=<yaml>       Objstore YAML content instead of a file.
`;

const LOG_HELP = `  --log.level=info               Log filtering level (error, warn, info, debug).
  --log.format=logfmt            Log format: logfmt, json or journald (logfmt to stderr).
`;

export function parseFlags(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedFlags {
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  const positional: string[] = [];
  let help = false;
  const byShort = new Map(
    Object.entries(spec).flatMap(([n, s]) => (s.short ? [[s.short, n] as const] : [])),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // kingpin's application flags: `--help-long` is a longer `--help` (ours has one length);
    // `--no-help` and `--no-version` are the negated booleans, which do nothing.
    if (a === '-h' || a === '--help' || a === '--help-long') {
      help = true;
      continue;
    }
    if (a === '--no-help' || a === '--no-version') continue;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    const short = /^-([A-Za-z])(.*)$/s.exec(a);
    if (long) {
      name = long[1]!;
      inline = long[2];
    } else if (short) {
      name = byShort.get(short[1]!);
      if (!name) throw new UsageError(`unknown short flag '-${short[1]}'`);
      inline = short[2] ? short[2].replace(/^=/, '') : undefined;
    } else {
      positional.push(a);
      continue;
    }
    const s = spec[name];
    if (!s && name.startsWith('no-') && spec[name.slice(3)]?.kind === 'bool') {
      bools.delete(name.slice(3));
      continue;
    }
    if (!s) throw new UsageError(`unknown long flag '--${name}'`);
    if (s.kind === 'bool') {
      if (inline === undefined || inline === 'true') bools.add(name);
      else if (inline === 'false') bools.delete(name);
      else throw new UsageError(`--${name}: expected true or false, got ${inline}`);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`expected argument for flag --${name}`);
    const list = values.get(name) ?? [];
    if (s.kind === 'string' && list.length > 0) list.length = 0; // last one wins, as kingpin
    list.push(v);
    values.set(name, list);
  }
  return { values, bools, positional, help };
}

/** The single value of a string flag, or `fallback`. */
export function flagValue(f: ParsedFlags, name: string, fallback?: string): string | undefined {
  return f.values.get(name)?.[0] ?? fallback;
}

/** A duration flag (`500ms`, `30s`, `1m30s`) in ms, read as kingpin's Duration flags are: Go's. */
export function parseDurationFlag(s: string): number {
  let ms: number;
  try {
    ms = goParseDuration(s);
  } catch {
    ms = -1;
  }
  if (ms < 0) throw new UsageError(`bad duration ${JSON.stringify(s)}`);
  return ms;
}

/** A duration flag with its default, as a usage error naming the flag when bad. */
export function durationFlag(f: ParsedFlags, name: string, fallback: string): number {
  try {
    return parseDurationFlag(flagValue(f, name, fallback)!);
  } catch (err) {
    throw new UsageError(`--${name}: ${errorMessage(err)}`);
  }
}

/** The bucket from `--objstore.config-file` or `--objstore.config` (exactly one is required). */
export async function bucketFromFlags(f: ParsedFlags): Promise<Bucket> {
  const file = flagValue(f, 'objstore.config-file');
  const inline = flagValue(f, 'objstore.config');
  if (file && inline)
    throw new UsageError('--objstore.config-file and --objstore.config are mutually exclusive');
  if (file) return bucketFromConfigFile(file);
  if (inline) return bucketFromConfigText(inline);
  throw new UsageError('one of --objstore.config-file or --objstore.config is required');
}

/**
 * Parses `--label` values: `name=value` or Thanos's quoted `name="value"`. Names must be valid
 * Prometheus label names.
 */
export function parseLabelFlags(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of raw) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UsageError(`unrecognized label ${JSON.stringify(l)}`);
    const name = l.slice(0, eq);
    let value = l.slice(eq + 1);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
      throw new UsageError(`unsupported format for label ${l}`);
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        throw new UsageError(`unquote label value: ${l}`);
      }
    }
    if (name in out) throw new UsageError(`duplicate label name ${name}`);
    out[name] = value;
  }
  return out;
}

/** Thanos's logging flags: the agent's leveled logger (sidecar-agent/log.ts). */
export const LOG_FLAGS: Record<string, FlagSpec> = {
  'log.level': { kind: 'string' },
  'log.format': { kind: 'string' },
};

/** Flags every Thanos tool takes that change nothing here (tracing, Go runtime). */
export const THANOS_COMMON_IGNORED: Record<string, FlagSpec> = {
  'tracing.config': { kind: 'string' },
  'tracing.config-file': { kind: 'string' },
  'enable-auto-gomemlimit': { kind: 'bool' },
  'auto-gomemlimit.ratio': { kind: 'string' },
};

export interface BucketToolSpec {
  /** The word after `tools bucket` (and `bucket`). */
  readonly name: string;
  /** More words that select it, e.g. Thanos's `upload-blocks`. */
  readonly aliasNames?: readonly string[];
  readonly summary: string;
  /** Longer text for `--help` (default: the summary). */
  readonly description?: string;
  /** `--help` lines of the tool's own flags (the objstore flags are listed for every tool). */
  readonly flagsHelp: string;
  /** `[<flags>]` by default; e.g. `[<flags>] <block-dir>...`. */
  readonly args?: string;
  readonly flags: Record<string, FlagSpec>;
  /** Thanos flags of this tool that are accepted and logged as ignored (besides the common ones). */
  readonly ignored?: Record<string, FlagSpec>;
  /** Whether positional arguments are taken (default: any is a usage error). */
  readonly positional?: boolean;
  run(f: ParsedFlags, log: (msg: string) => void): Promise<number>;
}

/**
 * The leveled logger of `--log.level` / `--log.format` (a usage error for bad values). With
 * `journald` it says once, at info, that its lines are logfmt on stderr.
 */
export function loggerFromFlags(f: ParsedFlags): Logger {
  let logger: Logger;
  const format = flagValue(f, 'log.format', 'logfmt')!;
  try {
    logger = newLogger({
      level: parseLogLevel(flagValue(f, 'log.level', 'info')!),
      format: parseLogFormat(format),
    });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  if (format === 'journald') logger.info(JOURNALD_NOTE);
  return logger;
}

/** A `thanos-edge tools bucket <name>` command, also selected by `bucket <name>`. */
export function bucketTool(spec: BucketToolSpec): Command {
  const ignored = { ...THANOS_COMMON_IGNORED, ...spec.ignored };
  const all = { ...OBJSTORE_FLAGS, ...LOG_FLAGS, ...ignored, ...spec.flags };
  const names = [spec.name, ...(spec.aliasNames ?? [])];
  const help =
    `usage: thanos-edge tools bucket ${spec.name} ${spec.args ?? '[<flags>]'}\n\n${spec.description ?? spec.summary}\n\n` +
    `Flags:\n${OBJSTORE_HELP}${LOG_HELP}${spec.flagsHelp.replace(/^\n+/, '').trimEnd()}\n\n` +
    `Thanos flags accepted and ignored: ` +
    `${Object.keys(ignored)
      .map((n) => `--${n}`)
      .join(', ')}.\n`;
  return {
    path: ['tools', 'bucket', spec.name],
    aliases: [
      ...names.slice(1).map((n) => ['tools', 'bucket', n]),
      ...names.map((n) => ['bucket', n]),
    ],
    summary: spec.summary,
    async run(args) {
      const f = parseFlags(args, all);
      if (f.help) {
        process.stdout.write(help);
        return 0;
      }
      if (!spec.positional && f.positional.length > 0)
        throw new UsageError(`unexpected argument ${f.positional[0]}`);
      const logger = loggerFromFlags(f);
      const log = (msg: string): void => logger.info(msg);
      for (const n of Object.keys(ignored))
        if (f.values.has(n) || f.bools.has(n))
          log(`flag --${n} is accepted for compatibility with Thanos and ignored`);
      return spec.run(f, log);
    },
  };
}
