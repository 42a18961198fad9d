import { afterEach, describe, expect, it, vi } from 'vitest';
import { loggerFromFlags, LOG_FLAGS, parseFlags } from './bucket-flags.ts';

const SPEC = { ...LOG_FLAGS, 'tsdb.path': { kind: 'string' } } as const;

describe("kingpin's application flags", () => {
  it('--help-long is --help; --no-help and --no-version are accepted and do nothing', () => {
    expect(parseFlags(['--help-long'], SPEC).help).toBe(true);
    const f = parseFlags(['--no-help', '--no-version', '--tsdb.path=/d'], SPEC);
    expect(f.help).toBe(false);
    expect(f.values.get('tsdb.path')).toEqual(['/d']);
    expect(f.positional).toEqual([]);
    expect(() => parseFlags(['--no-tsdb.path'], SPEC)).toThrow(
      /unknown long flag '--no-tsdb.path'/,
    );
  });
});

describe('--log.format=journald', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs logfmt to stderr, and says so once', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const log = loggerFromFlags(parseFlags(['--log.format=journald'], SPEC));
    log.info('second');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^level=info ts=\S+ msg="journald log format: lines are written as logfmt to stderr, which the systemd journal captures"\n$/,
    );
    expect(lines[1]).toMatch(/^level=info ts=\S+ msg=second\n$/);
    // Other formats say nothing of it.
    lines.length = 0;
    loggerFromFlags(parseFlags(['--log.format=logfmt'], SPEC));
    expect(lines).toEqual([]);
  });
});
