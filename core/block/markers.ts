/**
 * @module core/block/markers — Thanos's block marker files: `deletion-mark.json` (the compactor
 * marks a block, stores ignore it after a delay, then it is deleted) and `no-compact-mark.json`.
 * Shapes from thanos pkg/block/metadata/markers.go.
 */
import { BadDataError } from '../errors.ts';

export const DELETION_MARK_FILENAME = 'deletion-mark.json';
export const NO_COMPACT_MARK_FILENAME = 'no-compact-mark.json';
export const MARKER_VERSION_1 = 1;

export interface DeletionMark {
  /** Block ULID. */
  readonly id: string;
  /** Unix seconds when the block was marked. */
  readonly deletion_time: number;
  readonly version: number;
  readonly details?: string;
}

export interface NoCompactMark {
  readonly id: string;
  readonly version: number;
  /** Unix seconds. */
  readonly no_compact_time: number;
  readonly reason: string;
  readonly details?: string;
}

export function parseDeletionMark(bytes: Uint8Array, block: string): DeletionMark {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new BadDataError(`block ${block}: ${DELETION_MARK_FILENAME}: invalid JSON`, {
      cause: err,
    });
  }
  const m = raw as Partial<DeletionMark>;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.deletion_time !== 'number' ||
    m.version !== MARKER_VERSION_1
  ) {
    throw new BadDataError(`block ${block}: ${DELETION_MARK_FILENAME}: unexpected content`);
  }
  return {
    id: m.id ?? block,
    deletion_time: m.deletion_time,
    version: m.version,
    ...(m.details ? { details: m.details } : {}),
  };
}

export function serializeDeletionMark(mark: DeletionMark): string {
  return JSON.stringify(mark, null, '\t');
}

export function serializeNoCompactMark(mark: NoCompactMark): string {
  return JSON.stringify(mark, null, '\t');
}
