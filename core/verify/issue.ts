/**
 * @module core/verify/issue — what `tools bucket verify` reports (Thanos pkg/verifier): the
 * checks by their Thanos names, and one issue per finding, naming the block and the file.
 */

/** Thanos's verifier issue names; all three run by default. */
export const ISSUE_NAMES = [
  'overlapped_blocks',
  'index_known_issues',
  'duplicated_compaction',
] as const;
export type IssueName = (typeof ISSUE_NAMES)[number];

export function isIssueName(s: string): s is IssueName {
  return (ISSUE_NAMES as readonly string[]).includes(s);
}

/** The kinds of index problems `index_known_issues` finds in one block. */
export type IndexProblem =
  | 'unreadable-index'
  | 'postings-dangling'
  | 'postings-mismatch'
  | 'unreadable-series'
  | 'labels-not-sorted'
  | 'series-not-sorted'
  | 'duplicate-series'
  | 'chunk-outside-block'
  | 'chunks-out-of-order'
  | 'unreadable-chunk'
  | 'chunk-samples';

export interface VerifyIssue {
  readonly issue: IssueName;
  /** For index issues, what exactly was found. */
  readonly problem?: IndexProblem;
  /** The block the issue is about (the first of two for overlaps and duplicates). */
  readonly block: string;
  /** The file inside the block: `meta.json`, `index`, `chunks/000001`. */
  readonly file: string;
  /** Every block involved (two for overlaps and duplicated compactions). */
  readonly blocks: readonly string[];
  readonly message: string;
}

/** `block <ulid> (<file>): <message>` — one line per issue. */
export function formatIssue(i: VerifyIssue): string {
  return `${i.issue}: block ${i.block} (${i.file}): ${i.message}`;
}
