/**
 * @module sidecar-agent/log — the agent's leveled logger, as Thanos's go-kit logger writes:
 * `--log.level=error|warn|info|debug` filters, `--log.format=logfmt|json` shapes each line
 * (`journald`, Thanos's third format, writes logfmt: see JOURNALD_NOTE).
 *
 * ```
 * level=info ts=2026-12-03T09:41:00.123Z caller=sidecar msg="listening" address=127.0.0.1:10902
 * {"caller":"sidecar","level":"info","msg":"listening","address":"127.0.0.1:10902","ts":"…"}
 * ```
 *
 * One line per call on stderr (Thanos logs to stderr too). Key/value pairs follow the message.
 */
import { BadDataError, errorMessage } from '../core/errors.ts';
import {
  levelEnabled,
  logfmtLine,
  parseLogLevel as parseCoreLogLevel,
  type LogLevel,
  type LogValue,
} from '../core/log/logfmt.ts';

export type { LogLevel };
export const LOG_FORMATS = ['logfmt', 'json', 'journald'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Why `--log.format=journald` writes logfmt: Thanos sends entries to the systemd journal itself;
 * this agent writes its lines to stderr, which systemd hands to the journal for a service unit.
 */
export const JOURNALD_NOTE =
  'journald log format: lines are written as logfmt to stderr, which the systemd journal captures';

export type LogFields = Readonly<Record<string, LogValue>>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (go-kit's log.With). */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Default `info`, as Thanos's `--log.level`. */
  readonly level?: LogLevel;
  /** Default `logfmt`, as Thanos's `--log.format`. */
  readonly format?: LogFormat;
  /** Where finished lines go (default: stderr). */
  readonly write?: (line: string) => void;
  /** Clock for `ts` (tests). */
  readonly now?: () => Date;
}

/** Validates a `--log.level` value (core/log/logfmt's rule), as a BadDataError. */
export function parseLogLevel(s: string): LogLevel {
  try {
    return parseCoreLogLevel(s);
  } catch (err) {
    throw new BadDataError(errorMessage(err), { cause: err });
  }
}

/** Validates a `--log.format` value. */
export function parseLogFormat(s: string): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(s)) return s as LogFormat;
  throw new BadDataError(
    `unrecognized log format ${JSON.stringify(s)} (${LOG_FORMATS.join(', ')})`,
  );
}

export function newLogger(o: LoggerOptions = {}, base: LogFields = {}): Logger {
  const threshold = o.level ?? 'info';
  const format = o.format ?? 'logfmt';
  const write = o.write ?? ((line: string) => void process.stderr.write(line));
  const now = o.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (!levelEnabled(level, threshold)) return;
    // go-kit's order: the logger's own fields (log.With), msg, then the call's.
    const all: Record<string, LogValue> = { ...base, msg, ...fields };
    const at = now();
    if (format !== 'json') return write(`${logfmtLine(level, all, at)}\n`);
    const json: Record<string, LogValue> = { level, ts: at.toISOString() };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) json[k] = v;
    write(`${JSON.stringify(json)}\n`);
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    with: (fields) => newLogger(o, { ...base, ...fields }),
  };
}

/** A logger over a plain `(msg) => void` callback (tests and library callers): levels prefix the text. */
export function loggerFromFunction(fn: (msg: string) => void): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      const kv = Object.entries(fields ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
        .join('');
      fn(level === 'info' ? `${msg}${kv}` : `${level}: ${msg}${kv}`);
    };
  const self: Logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    with: () => self,
  };
  return self;
}

/** A logger that drops everything. */
export const nopLogger: Logger = loggerFromFunction(() => undefined);
