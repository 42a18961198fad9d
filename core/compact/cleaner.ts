/**
 * @module core/compact/cleaner — Thanos's BlocksCleaner and partial-upload cleanup: deletes blocks
 * marked for deletion longer ago than the delete delay (also when their meta.json is already gone:
 * an interrupted delete), and block dirs without meta.json older than two days (an upload that was
 * aborted; a live one finishes far sooner). Shared by the compactor and `bucket cleanup`.
 */
import { errorMessage } from '../errors.ts';
import type { Bucket } from '../objstore/bucket.ts';
import { ulidTime } from '../tsdb/ulid.ts';
import { deleteBlock } from './marks.ts';
import type { BucketView } from './syncer.ts';

/** Thanos's PartialUploadThresholdAge: a block dir without meta.json this old is abandoned. */
export const PARTIAL_UPLOAD_THRESHOLD = 2 * 24 * 3600_000;
/** Thanos's `--delete-delay` default. */
export const DEFAULT_DELETE_DELAY = 48 * 3600_000;

export type DeleteReason = 'marked' | 'partial';

export interface CleanOptions {
  readonly deleteDelay?: number;
  readonly now: number;
  readonly deleted?: (id: string, why: DeleteReason) => void;
  readonly failed?: (id: string, err: unknown) => void;
  readonly log?: (msg: string) => void;
}

/** Deletes what is due; returns how many blocks were deleted. */
export async function cleanBucket(
  bucket: Bucket,
  view: BucketView,
  o: CleanOptions,
): Promise<number> {
  const delay = o.deleteDelay ?? DEFAULT_DELETE_DELAY;
  let n = 0;
  const del = async (id: string, why: DeleteReason): Promise<void> => {
    try {
      await deleteBlock(bucket, id);
      n++;
      o.deleted?.(id, why);
      o.log?.(
        `block ${id}: deleted (${why === 'marked' ? 'marked for deletion' : 'aborted partial upload'})`,
      );
    } catch (err) {
      o.failed?.(id, err);
      o.log?.(`block ${id}: delete failed: ${errorMessage(err)}`);
    }
  };
  for (const [id, at] of view.deletionMarks) if (o.now - at > delay) await del(id, 'marked');
  for (const id of view.partial) {
    if (view.deletionMarks.has(id)) continue;
    if (o.now - ulidTime(id) > PARTIAL_UPLOAD_THRESHOLD) await del(id, 'partial');
  }
  return n;
}
