/**
 * @module sidecar-agent/cli/bucket-cleanup — `thanos-edge bucket cleanup` and `bucket retention`
 * (Thanos's `tools bucket cleanup|retention`): the compactor's cleanup and retention steps run
 * alone. Run neither while a compactor works on the same bucket.
 */
import { cleanBucket } from '../../core/compact/cleaner.ts';
import { markForDeletion } from '../../core/compact/marks.ts';
import { blocksPastRetention } from '../../core/compact/retention.ts';
import { Syncer } from '../../core/compact/syncer.ts';
import { UsageError, type Command } from './command.ts';
import { OBJSTORE_FLAGS, bucketFromFlags, flagValue, parseFlags } from './bucket-flags.ts';
import { modelDuration } from './compact.ts';

const OBJSTORE_HELP = `  --objstore.config-file=<file>  Objstore YAML.
  --objstore.config=<yaml>       Objstore YAML content instead of a file.
`;

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

export const bucketCleanupCommand: Command = {
  path: ['bucket', 'cleanup'],
  summary: 'Delete blocks marked for deletion past the delay, and aborted partial uploads.',
  async run(args) {
    const spec = {
      ...OBJSTORE_FLAGS,
      'delete-delay': { kind: 'string' as const },
      'consistency-delay': { kind: 'string' as const },
    };
    const f = parseFlags(args, spec);
    if (f.help) {
      process.stdout.write(
        `usage: thanos-edge bucket cleanup [<flags>]\n\nFlags:\n${OBJSTORE_HELP}  --delete-delay=48h             Age of a deletion mark before the block is deleted.\n  --consistency-delay=30m        Accepted (Thanos's flag).\n`,
      );
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected ${f.positional[0]}`);
    const deleteDelay = modelDuration('delete-delay', flagValue(f, 'delete-delay', '48h')!);
    const bucket = await bucketFromFlags(f);
    const view = await new Syncer(bucket, { consistencyDelay: 0 }).sync();
    const n = await cleanBucket(bucket, view, { now: Date.now(), deleteDelay, log });
    log(`cleanup done: ${n} blocks deleted`);
    return 0;
  },
};

export const bucketRetentionCommand: Command = {
  path: ['bucket', 'retention'],
  summary: 'Mark blocks past their resolution’s retention for deletion.',
  async run(args) {
    const spec = {
      ...OBJSTORE_FLAGS,
      'retention.resolution-raw': { kind: 'string' as const },
      'retention.resolution-5m': { kind: 'string' as const },
      'retention.resolution-1h': { kind: 'string' as const },
      'consistency-delay': { kind: 'string' as const },
    };
    const f = parseFlags(args, spec);
    if (f.help) {
      process.stdout.write(
        `usage: thanos-edge bucket retention [<flags>]\n\nFlags:\n${OBJSTORE_HELP}  --retention.resolution-raw=0d   Keep raw blocks this long (0d = forever).\n  --retention.resolution-5m=0d    Keep 5m blocks this long.\n  --retention.resolution-1h=0d    Keep 1h blocks this long.\n`,
      );
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected ${f.positional[0]}`);
    const d = (n: string): number => modelDuration(n, flagValue(f, n, '0d')!);
    const policy = {
      raw: d('retention.resolution-raw'),
      res5m: d('retention.resolution-5m'),
      res1h: d('retention.resolution-1h'),
    };
    const bucket = await bucketFromFlags(f);
    const view = await new Syncer(bucket, { consistencyDelay: 0 }).sync();
    const live = [...view.metas.values()].filter((m) => !view.deletionMarks.has(m.ulid));
    let n = 0;
    for (const m of blocksPastRetention(live, policy, Date.now())) {
      if (await markForDeletion(bucket, m.ulid, 'block exceeding retention period', Date.now()))
        n++;
      log(`block ${m.ulid}: past retention, marked for deletion`);
    }
    log(`retention done: ${n} blocks marked`);
    return 0;
  },
};
