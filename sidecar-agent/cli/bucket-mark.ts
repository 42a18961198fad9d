/**
 * @module sidecar-agent/cli/bucket-mark — `thanos-edge tools bucket mark` (alias `bucket mark`):
 * writes `deletion-mark.json` or `no-compact-mark.json` for the given blocks, or with `--remove`
 * removes it again.
 */
import { DELETION_MARK_FILENAME, NO_COMPACT_MARK_FILENAME } from '../../core/block/markers.ts';
import { markForDeletion, markNoCompact } from '../../core/compact/marks.ts';
import { isUlid } from '../../core/tsdb/meta.ts';
import { UsageError } from './command.ts';
import { bucketFromFlags, bucketTool, flagValue } from './bucket-flags.ts';

const FLAGS_HELP = `  --id=<ulid>                    Block to mark (repeatable).
  --marker=<file>                ${DELETION_MARK_FILENAME} or ${NO_COMPACT_MARK_FILENAME}.
  --details=<text>               Why the block is marked.
  --remove                       Remove the marker instead of writing it.
`;

export const bucketMarkCommand = bucketTool({
  name: 'mark',
  summary: 'Mark blocks for deletion or no-compact in a safe way.',
  flagsHelp: FLAGS_HELP,
  flags: {
    id: { kind: 'strings' },
    marker: { kind: 'string' },
    details: { kind: 'string' },
    remove: { kind: 'bool' },
  },
  async run(f, log) {
    const ids = f.values.get('id') ?? [];
    if (ids.length === 0) throw new UsageError('--id is required');
    for (const id of ids) if (!isUlid(id)) throw new UsageError(`--id: ${id} is not a ULID`);
    const marker = flagValue(f, 'marker');
    if (marker !== DELETION_MARK_FILENAME && marker !== NO_COMPACT_MARK_FILENAME)
      throw new UsageError(
        `--marker must be ${DELETION_MARK_FILENAME} or ${NO_COMPACT_MARK_FILENAME}`,
      );
    const details = flagValue(f, 'details', '')!;
    const remove = f.bools.has('remove');
    if (!remove && details === '') throw new UsageError('--details is required');
    const bucket = await bucketFromFlags(f);
    for (const id of ids) {
      if (!(await bucket.exists(`${id}/meta.json`))) {
        log(`block ${id}: not found (no meta.json)`);
        return 1;
      }
      if (remove) await bucket.delete(`${id}/${marker}`);
      else if (marker === DELETION_MARK_FILENAME)
        await markForDeletion(bucket, id, details, Date.now());
      else await markNoCompact(bucket, id, 'manual', details, Date.now());
      log(`block ${id}: ${remove ? 'removed' : 'wrote'} ${marker}`);
    }
    return 0;
  },
});
