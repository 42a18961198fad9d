/**
 * @module sidecar-agent/cli/bucket-verify — `thanos-edge tools bucket verify` (alias `bucket
 * verify`): Thanos's verifier over the bucket (core/verify). Prints one line per issue on stdout
 * (`<issue>: block <ulid> (<file>): <what>`), a summary on stderr, and exits 1 when anything was
 * found. `--repair` is refused: blocks are never rewritten here.
 */
import { formatIssue, isIssueName, ISSUE_NAMES, type IssueName } from '../../core/verify/issue.ts';
import { verifyBucket } from '../../core/verify/verifier.ts';
import { isUlid } from '../../core/tsdb/meta.ts';
import { UsageError } from './command.ts';
import { bucketFromFlags, bucketTool } from './bucket-flags.ts';

const FLAGS_HELP = `  -i, --issues=<name> ...        Issues to verify (repeatable): ${ISSUE_NAMES.join(', ')}
                                 (default: all).
  --id=<ulid> ...                Only these blocks (repeatable; default: all).
  -r, --repair                   Not supported: verify reports, it does not rewrite blocks.
`;

export const bucketVerifyCommand = bucketTool({
  name: 'verify',
  summary: 'Verify all blocks in the bucket against specified issues.',
  description: `Verify all blocks in the bucket against specified issues: overlapping blocks within one
external-label set and resolution, index issues of each block (read through range reads: series
order, duplicate series, chunks outside the block or out of order, postings pointing nowhere,
unreadable chunks), and duplicated compactions. Blocks marked for deletion are left out. Exits 1
when an issue is found.`,
  flagsHelp: FLAGS_HELP,
  flags: {
    issues: { kind: 'strings', short: 'i' },
    id: { kind: 'strings' },
    repair: { kind: 'bool', short: 'r' },
  },
  ignored: {
    'delete-delay': { kind: 'string' },
    'objstore-backup.config': { kind: 'string' },
    'objstore-backup.config-file': { kind: 'string' },
  },
  async run(f, log) {
    if (f.bools.has('repair'))
      throw new UsageError(
        '--repair is not supported: thanos-edge verifies blocks but does not rewrite them',
      );
    const issues: IssueName[] = [];
    for (const raw of f.values.get('issues') ?? [...ISSUE_NAMES]) {
      for (const name of raw.split(',')) {
        if (!isIssueName(name))
          throw new UsageError(`--issues: unknown issue ${name} (${ISSUE_NAMES.join(', ')})`);
        issues.push(name);
      }
    }
    const ids = f.values.get('id');
    for (const id of ids ?? []) if (!isUlid(id)) throw new UsageError(`--id: ${id} is not a ULID`);
    const bucket = await bucketFromFlags(f);
    const tty = Boolean(process.stderr.isTTY);
    const result = await verifyBucket(bucket, {
      issues,
      ...(ids ? { ids } : {}),
      events: tty
        ? {
            progress: (p) =>
              void process.stderr.write(
                `\r\x1b[Kverify index ${p.n}/${p.total} ${p.block}: ${p.series}/${p.of} series`,
              ),
          }
        : {},
    });
    if (tty) process.stderr.write('\r\x1b[K');
    for (const s of result.skipped) log(`skipped ${s}`);
    for (const i of result.issues) process.stdout.write(`${formatIssue(i)}\n`);
    log(
      `verify done: ${result.blocks.length} blocks, ${result.issues.length} issues (${issues.join(', ')})`,
    );
    return result.issues.length > 0 ? 1 : 0;
  },
});
