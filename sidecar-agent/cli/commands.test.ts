import { describe, expect, it } from 'vitest';
import { bucketCleanupCommand, bucketRetentionCommand } from './bucket-cleanup.ts';
import { bucketInspectCommand } from './bucket-inspect.ts';
import { bucketLsCommand } from './bucket-ls.ts';
import { bucketMarkCommand } from './bucket-mark.ts';
import { bucketUploadCommand } from './bucket-upload.ts';
import { bucketVerifyCommand } from './bucket-verify.ts';
import type { Command } from './command.ts';
import { commands } from './commands.ts';
import { compactCommand } from './compact.ts';
import { rulesCheckCommand } from './rules-check.ts';
import { rulesTestCommand } from './rules-test.ts';
import { sidecarCommand } from './sidecar.ts';
import { storeCommand } from './store.ts';
import { tsdbCreateBlocksCommand } from './tsdb-create-blocks.ts';
import { tsdbDumpCommand } from './tsdb-dump.ts';

const modules: readonly Command[] = [
  bucketLsCommand,
  bucketInspectCommand,
  bucketVerifyCommand,
  bucketMarkCommand,
  bucketCleanupCommand,
  bucketRetentionCommand,
  bucketUploadCommand,
  tsdbCreateBlocksCommand,
  tsdbDumpCommand,
  sidecarCommand,
  storeCommand,
  compactCommand,
  rulesCheckCommand,
  rulesTestCommand,
];

const info = (c: Command) => ({ path: c.path, aliases: c.aliases, summary: c.summary });

describe('the command table', () => {
  it('lists every command module with the path, aliases and summary the module gives', () => {
    expect(commands.map(info)).toEqual(modules.map(info));
  });

  it('runs the module it loads', async () => {
    const sidecar = commands.find((c) => c.path.join(' ') === 'sidecar')!;
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
      expect(await sidecar.run(['--help'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/usage: thanos-edge sidecar/);
  });
});
