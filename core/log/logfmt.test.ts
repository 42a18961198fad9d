import { describe, expect, it } from 'vitest';
import { levelEnabled, logfmtLine, parseLogLevel } from './logfmt.ts';

describe('logfmt', () => {
  it('writes go-kit lines, quoting only values that need it', () => {
    const line = logfmtLine(
      'warn',
      { msg: 'slow query', query: 'sum(rate(x{a="b"}[5m]))', took: 1.5, ok: true, skip: undefined },
      new Date(0),
    );
    expect(line).toBe(
      'level=warn ts=1970-01-01T00:00:00.000Z msg="slow query" query="sum(rate(x{a=\\"b\\"}[5m]))" took=1.5 ok=true',
    );
    expect(logfmtLine('info', { empty: '' }, new Date(0))).toContain('empty=""');
    expect(logfmtLine('info', { nl: 'a\nb' }, new Date(0))).toContain('nl="a\\nb"');
  });

  it('filters by level and parses --log.level', () => {
    expect(levelEnabled('debug', 'info')).toBe(false);
    expect(levelEnabled('error', 'info')).toBe(true);
    expect(parseLogLevel('warn')).toBe('warn');
    expect(parseLogLevel(undefined)).toBe('info');
    expect(() => parseLogLevel('loud')).toThrow(/debug, info, warn, error/);
  });
});
