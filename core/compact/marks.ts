/**
 * @module core/compact/marks — writes Thanos's block markers and deletes blocks in the order
 * Thanos's `block.Delete` does: meta.json first (from then on the block is a partial upload no
 * reader uses), then its other objects, the deletion mark last (so an interrupted delete is
 * still known to be one and the next cleanup finishes it).
 */
import { listAll, type Bucket } from '../objstore/bucket.ts';
import { META_FILENAME } from '../tsdb/meta.ts';
import {
  DELETION_MARK_FILENAME,
  MARKER_VERSION_1,
  NO_COMPACT_MARK_FILENAME,
  serializeDeletionMark,
  serializeNoCompactMark,
} from '../block/markers.ts';

export type MarkerFile = typeof DELETION_MARK_FILENAME | typeof NO_COMPACT_MARK_FILENAME;

/** Thanos's no-compact reason for a block the compactor cannot read (ours; Thanos halts instead). */
export const CORRUPTED_NO_COMPACT_REASON = 'block-corrupted';

const enc = new TextEncoder();

/** Writes `deletion-mark.json` unless the block has one; true when it wrote it. */
export async function markForDeletion(
  bucket: Bucket,
  id: string,
  details: string,
  nowMs: number,
): Promise<boolean> {
  const key = `${id}/${DELETION_MARK_FILENAME}`;
  if (await bucket.exists(key)) return false;
  const mark = {
    id,
    deletion_time: Math.floor(nowMs / 1000),
    version: MARKER_VERSION_1,
    details,
  };
  await bucket.upload(key, enc.encode(serializeDeletionMark(mark)));
  return true;
}

/** Writes `no-compact-mark.json` unless the block has one; true when it wrote it. */
export async function markNoCompact(
  bucket: Bucket,
  id: string,
  reason: string,
  details: string,
  nowMs: number,
): Promise<boolean> {
  const key = `${id}/${NO_COMPACT_MARK_FILENAME}`;
  if (await bucket.exists(key)) return false;
  const mark = {
    id,
    version: MARKER_VERSION_1,
    details,
    no_compact_time: Math.floor(nowMs / 1000),
    reason,
  };
  await bucket.upload(key, enc.encode(serializeNoCompactMark(mark)));
  return true;
}

/** Deletes every object of block `id`: meta.json first, deletion mark last. */
export async function deleteBlock(bucket: Bucket, id: string): Promise<void> {
  await bucket.delete(`${id}/${META_FILENAME}`);
  const mark = `${id}/${DELETION_MARK_FILENAME}`;
  for (const key of await listAll(bucket, id, { recursive: true }))
    if (key !== mark) await bucket.delete(key);
  await bucket.delete(mark);
}
