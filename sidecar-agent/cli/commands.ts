/**
 * @module sidecar-agent/cli/commands — the table of `thanos-edge` subcommands. Add one entry per
 * command: its path, aliases and summary (listed by `--help` without loading it; a test checks
 * them against the module's) and the `import()` of its module, loaded only when it runs.
 */
import { lazyCommand, type Command } from './command.ts';

export const commands: readonly Command[] = [
  lazyCommand(
    {
      path: ['tools', 'bucket', 'ls'],
      aliases: [['bucket', 'ls']],
      summary: 'List all blocks in the bucket.',
    },
    async () => (await import('./bucket-ls.ts')).bucketLsCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'bucket', 'inspect'],
      aliases: [['bucket', 'inspect']],
      summary: 'Inspect all blocks in the bucket in detailed, table-like way.',
    },
    async () => (await import('./bucket-inspect.ts')).bucketInspectCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'bucket', 'verify'],
      aliases: [['bucket', 'verify']],
      summary: 'Verify all blocks in the bucket against specified issues.',
    },
    async () => (await import('./bucket-verify.ts')).bucketVerifyCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'bucket', 'mark'],
      aliases: [['bucket', 'mark']],
      summary: 'Mark blocks for deletion or no-compact in a safe way.',
    },
    async () => (await import('./bucket-mark.ts')).bucketMarkCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'bucket', 'cleanup'],
      aliases: [['bucket', 'cleanup']],
      summary: 'Delete blocks marked for deletion past the delay, and aborted partial uploads.',
    },
    async () => (await import('./bucket-cleanup.ts')).bucketCleanupCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'bucket', 'retention'],
      aliases: [['bucket', 'retention']],
      summary: 'Mark blocks past their resolution’s retention for deletion.',
    },
    async () => (await import('./bucket-cleanup.ts')).bucketRetentionCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'bucket', 'upload'],
      aliases: [
        ['tools', 'bucket', 'upload-blocks'],
        ['bucket', 'upload'],
        ['bucket', 'upload-blocks'],
      ],
      summary: 'Upload finished TSDB blocks to object storage (Thanos shipper semantics).',
    },
    async () => (await import('./bucket-upload.ts')).bucketUploadCommand,
  ),
  lazyCommand(
    {
      path: ['tsdb', 'create-blocks-from', 'openmetrics'],
      summary: 'Import samples from OpenMetrics input and produce TSDB blocks (as promtool).',
    },
    async () => (await import('./tsdb-create-blocks.ts')).tsdbCreateBlocksCommand,
  ),
  lazyCommand(
    { path: ['tsdb', 'dump'], summary: 'Dump samples from a TSDB (as promtool tsdb dump).' },
    async () => (await import('./tsdb-dump.ts')).tsdbDumpCommand,
  ),
  lazyCommand(
    {
      path: ['sidecar'],
      summary: 'ship Prometheus blocks and serve its data over the StoreAPI',
    },
    async () => (await import('./sidecar.ts')).sidecarCommand,
  ),
  lazyCommand(
    {
      path: ['store'],
      summary: 'store gateway over a bucket, serving the gRPC and HTTP StoreAPI',
    },
    async () => (await import('./store.ts')).storeCommand,
  ),
  lazyCommand(
    {
      path: ['compact'],
      summary: 'compact, apply retention to and clean up blocks in a bucket',
    },
    async () => (await import('./compact.ts')).compactCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'rules-check'],
      aliases: [['check', 'rules']],
      summary: 'Check if the rule files are valid (promtool check rules).',
    },
    async () => (await import('./rules-check.ts')).rulesCheckCommand,
  ),
  lazyCommand(
    {
      path: ['tools', 'rules-test'],
      aliases: [['test', 'rules']],
      summary: 'Unit tests for rules (promtool test rules).',
    },
    async () => (await import('./rules-test.ts')).rulesTestCommand,
  ),
];
