/**
 * @module core/receive/shard-answers — the one answer a sender gets for a write spread over
 * several receive shards. A sender retries 5xx (and may retry 429) and drops what got any other
 * 4xx, so a part that failed for a reason a retry can fix decides the status even when another
 * part was bad data: answering 400 would drop the retryable part for good, while a retry only
 * re-sends the bad part to be refused again and the rest to be stored (or skipped as duplicates).
 */

export interface ShardFailure {
  readonly status: number;
  readonly message: string;
}

/** Status and message for the sender; undefined when every part was stored. */
export function combineShardAnswers(
  failures: readonly ShardFailure[],
): { status: number; message: string } | undefined {
  if (failures.length === 0) return undefined;
  const worst =
    failures.find((f) => f.status >= 500) ??
    failures.find((f) => f.status === 429) ??
    failures.find((f) => f.status === 400) ??
    failures[0]!;
  return {
    status: worst.status >= 500 ? 503 : worst.status,
    message: failures.map((f) => f.message).join('; '),
  };
}
