/** @module sidecar-agent/cli/commands — the table of `thanos-edge` subcommands. Add one line per command. */
import type { Command } from './command.ts';
import { bucketCleanupCommand, bucketRetentionCommand } from './bucket-cleanup.ts';
import { bucketInspectCommand } from './bucket-inspect.ts';
import { bucketLsCommand } from './bucket-ls.ts';
import { bucketMarkCommand } from './bucket-mark.ts';
import { bucketUploadCommand } from './bucket-upload.ts';
import { bucketVerifyCommand } from './bucket-verify.ts';
import { compactCommand } from './compact.ts';
import { rulesCheckCommand } from './rules-check.ts';
import { rulesTestCommand } from './rules-test.ts';
import { sidecarCommand } from './sidecar.ts';
import { storeCommand } from './store.ts';
import { tsdbCreateBlocksCommand } from './tsdb-create-blocks.ts';
import { tsdbDumpCommand } from './tsdb-dump.ts';

export const commands: readonly Command[] = [
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
