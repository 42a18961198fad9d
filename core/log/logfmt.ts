/**
 * @module core/log/logfmt — one log line in go-kit's logfmt, as Thanos and Prometheus write them
 * (`level=info ts=… caller=… msg="…" key=value`): values quoted only when they need it.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogValue = string | number | boolean | undefined;

function logfmtValue(v: string): string {
  if (v !== '' && !/[\s"=\\\x00-\x1f]/.test(v)) return v;
  return JSON.stringify(v);
}

/** `level=… ts=… key=value…`, keys in the order given; undefined values are left out. */
export function logfmtLine(
  level: LogLevel,
  fields: Readonly<Record<string, LogValue>>,
  now: Date = new Date(),
): string {
  const parts = [`level=${level}`, `ts=${now.toISOString()}`];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    parts.push(`${k}=${logfmtValue(String(v))}`);
  }
  return parts.join(' ');
}

/** Whether a line at `level` passes a logger set to `threshold`. */
export function levelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

/** A `--log.level` value, or an error naming the allowed ones. */
export function parseLogLevel(v: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  if (v === undefined || v === '') return fallback;
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  throw new Error(`log level ${JSON.stringify(v)}: want one of ${LOG_LEVELS.join(', ')}`);
}
