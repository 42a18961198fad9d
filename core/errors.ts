/**
 * @module core/errors — typed errors with a kind. The HTTP layer maps `kind` to Prometheus's
 * `errorType` and status code in one place; everything else only throws these (wrapping with
 * context and keeping `cause`).
 */

/** Prometheus API error types (web/api/v1 `errorType`), plus our storage kinds that map onto them. */
export type ErrorKind =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'internal'
  | 'unavailable'
  | 'not_found'
  | 'not_acceptable'
  | 'unauthorized'
  | 'too_many_requests';

export abstract class ThanosEdgeError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Invalid user input: a bad query, matcher, parameter or request body (HTTP 400). */
export class BadDataError extends ThanosEdgeError {
  override readonly name = 'BadDataError';
  readonly kind = 'bad_data' as const;
}

/** A PromQL feature we deliberately do not implement (e.g. native histograms). */
export class NotSupportedError extends ThanosEdgeError {
  override readonly name = 'NotSupportedError';
  readonly kind = 'bad_data' as const;
}

/** A query failed while running (HTTP 422 `execution`), e.g. many-to-many matching. */
export class ExecutionError extends ThanosEdgeError {
  override readonly name = 'ExecutionError';
  readonly kind = 'execution' as const;
}

export class QueryTimeoutError extends ThanosEdgeError {
  override readonly name = 'QueryTimeoutError';
  readonly kind = 'timeout' as const;
}

export class QueryCanceledError extends ThanosEdgeError {
  override readonly name = 'QueryCanceledError';
  readonly kind = 'canceled' as const;
}

/** Prometheus's `query processing would load too many samples into memory in <place>`. */
export class TooManySamplesError extends ThanosEdgeError {
  override readonly name = 'TooManySamplesError';
  readonly kind = 'execution' as const;
  constructor(place: string) {
    super(`query processing would load too many samples into memory in ${place}`);
  }
}

/** Object storage failed (network, 5xx, auth). */
export class StorageError extends ThanosEdgeError {
  override readonly name = 'StorageError';
  readonly kind = 'internal' as const;
}

/** An object or key that does not exist. */
export class NotFoundError extends ThanosEdgeError {
  override readonly name = 'NotFoundError';
  readonly kind = 'not_found' as const;
}

/** Where in a block a corruption was found. */
export interface BlockLocation {
  readonly block?: string;
  readonly file?: string;
  readonly offset?: number;
}

/** A block's bytes are not what the format says: bad magic, checksum, offset or length. */
export class CorruptBlockError extends ThanosEdgeError {
  override readonly name = 'CorruptBlockError';
  readonly kind = 'internal' as const;
  readonly location: BlockLocation;
  constructor(message: string, location: BlockLocation, options?: { cause?: unknown }) {
    const where = [
      location.block && `block ${location.block}`,
      location.file && `file ${location.file}`,
      location.offset !== undefined && `offset ${location.offset}`,
    ]
      .filter(Boolean)
      .join(', ');
    super(where ? `${message} (${where})` : message, options);
    this.location = location;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A per-request limit (series, samples, chunks) was hit; the request ends instead of growing. */
export class LimitExceededError extends ThanosEdgeError {
  override readonly name = 'LimitExceededError';
  readonly kind = 'execution' as const;
}

/** A request without the bearer token a StoreAPI (or another protected route) requires (HTTP 401). */
export class UnauthorizedError extends ThanosEdgeError {
  override readonly name = 'UnauthorizedError';
  readonly kind = 'unauthorized' as const;
  constructor() {
    super('unauthorized');
  }
}

/**
 * A tenant over its request rate or concurrent-query limit (HTTP 429): a retry after
 * `retryAfterSeconds` (sent as `Retry-After`) can succeed.
 */
export class TooManyRequestsError extends ThanosEdgeError {
  override readonly name = 'TooManyRequestsError';
  readonly kind = 'too_many_requests' as const;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A failure while a query or read ran (not while its request was parsed). Prometheus's
 * returnAPIError maps these apart from request errors: timeouts and cancels keep their kind,
 * storage failures are internal, anything else is `execution` (422) — even a bad-data error
 * raised by evaluation.
 */
export class ExecutionFailure extends ThanosEdgeError {
  override readonly name = 'ExecutionFailure';
  readonly kind: ErrorKind;
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
    this.kind = executionKind(cause);
  }
}

function executionKind(err: unknown): ErrorKind {
  if (!(err instanceof ThanosEdgeError)) return 'execution';
  switch (err.kind) {
    case 'timeout':
    case 'canceled':
    case 'too_many_requests':
      return err.kind;
    case 'internal':
    case 'unavailable':
      return 'internal';
    default:
      return 'execution';
  }
}

/**
 * The compactor must stop touching a group (Thanos's halt): a state only a human can resolve,
 * such as overlapping blocks without vertical compaction. Carries the group and blocks involved.
 */
export class HaltError extends ThanosEdgeError {
  override readonly name = 'HaltError';
  readonly kind = 'internal' as const;
  readonly group: string;
  readonly blocks: readonly string[];
  constructor(
    message: string,
    group: string,
    blocks: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`group ${group}: ${message}`, options);
    this.group = group;
    this.blocks = blocks;
  }
}

/** A compactor step failed in a way the next iteration may not repeat (storage hiccup) (Thanos's retry). */
export class RetryError extends ThanosEdgeError {
  override readonly name = 'RetryError';
  readonly kind = 'internal' as const;
}
