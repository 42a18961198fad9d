/** @module sidecar-agent/cli/commands — the table of `thanos-edge` subcommands. Add one line per command. */
import type { Command } from './command.ts';
import { bucketLsCommand } from './bucket-ls.ts';
import { bucketUploadCommand } from './bucket-upload.ts';
import { sidecarCommand } from './sidecar.ts';
import { tsdbCreateBlocksCommand } from './tsdb-create-blocks.ts';
import { tsdbDumpCommand } from './tsdb-dump.ts';

export const commands: readonly Command[] = [
  bucketUploadCommand,
  bucketLsCommand,
  tsdbCreateBlocksCommand,
  tsdbDumpCommand,
  sidecarCommand,
];
