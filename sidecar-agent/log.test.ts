import { describe, expect, it } from 'vitest';
import { newLogger, parseLogFormat, parseLogLevel, type LogFormat } from './log.ts';
import { parseTimeOrDuration } from './cli/sidecar-flags.ts';

const at = new Date('2026-12-03T10:00:00.000Z');

function capture(level: 'error' | 'warn' | 'info' | 'debug', format: LogFormat) {
  const lines: string[] = [];
  const log = newLogger({ level, format, write: (l) => lines.push(l), now: () => at });
  return { log, lines };
}

describe('leveled logger', () => {
  it('writes logfmt as go-kit does: level, ts, fields of with(), msg, then call fields', () => {
    const { log, lines } = capture('info', 'logfmt');
    log.with({ component: 'shipper' }).info('uploaded block', { block: '01ABC', bytes: 12 });
    log.warn('has "quotes" and spaces', { empty: '', path: '/a b' });
    expect(lines).toEqual([
      'level=info ts=2026-12-03T10:00:00.000Z component=shipper msg="uploaded block" block=01ABC bytes=12\n',
      'level=warn ts=2026-12-03T10:00:00.000Z msg="has \\"quotes\\" and spaces" empty="" path="/a b"\n',
    ]);
  });

  it('writes one JSON object per line', () => {
    const { log, lines } = capture('debug', 'json');
    log.debug('d', { n: 1 });
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'debug', ts: at.toISOString(), msg: 'd', n: 1 });
  });

  it('filters below its level', () => {
    for (const [level, seen] of [
      ['error', ['error']],
      ['warn', ['error', 'warn']],
      ['info', ['error', 'warn', 'info']],
      ['debug', ['error', 'warn', 'info', 'debug']],
    ] as const) {
      const { log, lines } = capture(level, 'logfmt');
      log.debug('x');
      log.info('x');
      log.warn('x');
      log.error('x');
      expect(lines.map((l) => /^level=(\w+)/.exec(l)![1])).toEqual([...seen].reverse());
    }
  });

  it('rejects unknown levels and formats', () => {
    expect(parseLogLevel('warn')).toBe('warn');
    expect(() => parseLogLevel('warning')).toThrow(/log level "warning": want one of/);
    expect(parseLogFormat('json')).toBe('json');
    expect(() => parseLogFormat('gelf')).toThrow(/unrecognized log format "gelf"/);
  });

  it("takes Thanos's journald format and writes logfmt for it", () => {
    expect(parseLogFormat('journald')).toBe('journald');
    const { log, lines } = capture('info', 'journald');
    log.info('up', { n: 1 });
    expect(lines).toEqual(['level=info ts=2026-12-03T10:00:00.000Z msg=up n=1\n']);
  });
});

describe('--min-time (Thanos TimeOrDurationValue)', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  it('reads RFC3339 times and signed durations relative to now', () => {
    expect(parseTimeOrDuration('2026-12-01T00:00:00Z', now)).toBe(
      Date.parse('2026-12-01T00:00:00Z'),
    );
    expect(parseTimeOrDuration('-1d', now)).toBe(now - 86_400_000);
    expect(parseTimeOrDuration('2h45m', now)).toBe(now + (2 * 60 + 45) * 60_000);
    expect(parseTimeOrDuration('0000-01-01T00:00:00Z', now)).toBe(Number.MIN_SAFE_INTEGER);
    expect(() => parseTimeOrDuration('yesterday', now)).toThrow(
      /neither an RFC3339 time nor a duration/,
    );
  });
});
