/**
 * Go string quoting vs the real thing: `promtool tsdb dump` prints every series with Prometheus's
 * `labels.String()` (Go's strconv.Quote per value); labelsToString must print the same bytes.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { labelsFrom, labelsToString } from '../../../core/labels/labels.ts';
import { INPUTS } from './regex-cases.ts';

const run = promisify(execFile);
const EXTRA = [
  '\u00ad',
  '\u200b',
  '\u200d',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ue000',
  '\u{F0000}',
  '\u0870',
  '\u{1E290}',
  '\u0300',
  'a\u0300',
  '\u0378',
  '\u00a0',
  '\u1680',
  '\u3000',
  '\u{1D173}',
  '\u{E0001}',
  '\u061c',
  '\ufffd',
  '\u{10FFFF}',
  '\u{FFFF}',
  '\u0007\u0008\u000b\u000c\u001b',
  '\u0080\u009f',
  '\u{1F1E6}',
  '\u2062',
  '\u{13430}',
];

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('labelsToString vs promtool tsdb dump (Go strconv.Quote)', () => {
  it('prints every label value as Go does', async () => {
    dir = await mkdtemp(join(tmpdir(), 'quote-oracle-'));
    const values = [...new Set([...INPUTS, ...EXTRA])].filter((v) => v !== '');
    const om = ['# TYPE t gauge'];
    values.forEach((v, i) => {
      const esc = v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
      om.push(`t{i="${i}",l="${esc}"} 1 1700000000`);
    });
    om.push('# EOF', '');
    await writeFile(join(dir, 'in.om'), om.join('\n'));
    await run('promtool', [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      '--quiet',
      join(dir, 'in.om'),
      join(dir, 'data'),
    ]);
    // `tsdb dump` opens the directory as a DB and wants a WAL directory, even an empty one.
    await mkdir(join(dir, 'data', 'wal'));
    const { stdout } = await run('promtool', ['tsdb', 'dump', join(dir, 'data')], {
      maxBuffer: 64 << 20,
    });
    const got = new Set(stdout.split('\n').filter((l) => l.startsWith('{')));
    const missing: string[] = [];
    values.forEach((v, i) => {
      const line = `${labelsToString(labelsFrom({ __name__: 't', i: String(i), l: v }))} 1 1700000000000`;
      if (!got.has(line)) missing.push(line);
    });
    expect(missing, missing.join('\n')).toEqual([]);
    expect(got.size).toBe(values.length);
  });
});
