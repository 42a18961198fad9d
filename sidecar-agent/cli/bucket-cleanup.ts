/**
 * @module sidecar-agent/cli/bucket-cleanup — `thanos-edge tools bucket cleanup` and `tools bucket
 * retention` (aliases `bucket cleanup|retention`): the compactor's cleanup and retention steps run
 * alone. Run neither while a compactor works on the same bucket.
 */
import { cleanBucket } from '../../core/compact/cleaner.ts';
import { markForDeletion } from '../../core/compact/marks.ts';
import { blocksPastRetention } from '../../core/compact/retention.ts';
import { Syncer } from '../../core/compact/syncer.ts';
import { bucketFromFlags, bucketTool, flagValue, type FlagSpec } from './bucket-flags.ts';
import { modelDuration } from './compact.ts';

/** Thanos flags of cleanup and retention about syncing and selecting that change nothing here. */
const SYNC_IGNORED: Record<string, FlagSpec> = {
  'block-sync-concurrency': { kind: 'string' },
  'selector.relabel-config': { kind: 'string' },
  'selector.relabel-config-file': { kind: 'string' },
};

export const bucketCleanupCommand = bucketTool({
  name: 'cleanup',
  summary: 'Delete blocks marked for deletion past the delay, and aborted partial uploads.',
  flagsHelp: `  --delete-delay=48h             Age of a deletion mark before the block is deleted.
  --consistency-delay=30m        Accepted (Thanos's flag).
`,
  flags: {
    'delete-delay': { kind: 'string' },
    'consistency-delay': { kind: 'string' },
  },
  ignored: SYNC_IGNORED,
  async run(f, log) {
    const deleteDelay = modelDuration('delete-delay', flagValue(f, 'delete-delay', '48h')!);
    const bucket = await bucketFromFlags(f);
    const view = await new Syncer(bucket, { consistencyDelay: 0 }).sync();
    const n = await cleanBucket(bucket, view, { now: Date.now(), deleteDelay, log });
    log(`cleanup done: ${n} blocks deleted`);
    return 0;
  },
});

export const bucketRetentionCommand = bucketTool({
  name: 'retention',
  summary: 'Mark blocks past their resolution’s retention for deletion.',
  flagsHelp: `  --retention.resolution-raw=0d  Keep raw blocks this long (0d = forever).
  --retention.resolution-5m=0d   Keep 5m blocks this long.
  --retention.resolution-1h=0d   Keep 1h blocks this long.
`,
  flags: {
    'retention.resolution-raw': { kind: 'string' },
    'retention.resolution-5m': { kind: 'string' },
    'retention.resolution-1h': { kind: 'string' },
  },
  ignored: { ...SYNC_IGNORED, 'consistency-delay': { kind: 'string' } },
  async run(f, log) {
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
});
