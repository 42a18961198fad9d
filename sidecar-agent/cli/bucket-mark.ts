/**
 * @module sidecar-agent/cli/bucket-mark — `thanos-edge bucket mark` (Thanos's `tools bucket mark`):
 * writes `deletion-mark.json` or `no-compact-mark.json` for the given blocks, or with `--remove`
 * removes it again.
 */
import { DELETION_MARK_FILENAME, NO_COMPACT_MARK_FILENAME } from '../../core/block/markers.ts';
import { markForDeletion, markNoCompact } from '../../core/compact/marks.ts';
import { isUlid } from '../../core/tsdb/meta.ts';
import { UsageError, type Command } from './command.ts';
import { OBJSTORE_FLAGS, bucketFromFlags, flagValue, parseFlags } from './bucket-flags.ts';

const USAGE = `usage: thanos-edge bucket mark --id=<ulid>... --marker=<file> --details=<text> [<flags>]

Mark blocks for deletion or no-compact in a safe way (Thanos's tools bucket mark).

Flags:
  --objstore.config-file=<file>  Objstore YAML.
  --objstore.config=<yaml>       Objstore YAML content instead of a file.
  --id=<ulid>                    Block to mark (repeatable).
  --marker=<file>                ${DELETION_MARK_FILENAME} or ${NO_COMPACT_MARK_FILENAME}.
  --details=<text>               Why the block is marked.
  --remove                       Remove the marker instead of writing it.
`;

const SPEC = {
  ...OBJSTORE_FLAGS,
  id: { kind: 'strings' as const },
  marker: { kind: 'string' as const },
  details: { kind: 'string' as const },
  remove: { kind: 'bool' as const },
};

export const bucketMarkCommand: Command = {
  path: ['bucket', 'mark'],
  summary: 'Mark blocks for deletion or no-compact.',
  async run(args) {
    const f = parseFlags(args, SPEC);
    if (f.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected ${f.positional[0]}`);
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
        process.stderr.write(`block ${id}: not found (no meta.json)\n`);
        return 1;
      }
      if (remove) await bucket.delete(`${id}/${marker}`);
      else if (marker === DELETION_MARK_FILENAME)
        await markForDeletion(bucket, id, details, Date.now());
      else await markNoCompact(bucket, id, 'manual', details, Date.now());
      process.stderr.write(`block ${id}: ${remove ? 'removed' : 'wrote'} ${marker}\n`);
    }
    return 0;
  },
};
