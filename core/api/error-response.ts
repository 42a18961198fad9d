/**
 * @module core/api/error-response — the one place where an error becomes Prometheus's API error:
 * `{"status":"error","errorType":…,"error":…}` with the HTTP status Prometheus uses for that type
 * (web/api/v1 respondError).
 */
import { ThanosEdgeError, TooManyRequestsError, errorMessage, type ErrorKind } from '../errors.ts';

export interface ApiErrorBody {
  readonly status: 'error';
  readonly errorType: ErrorKind;
  readonly error: string;
  readonly warnings?: readonly string[];
}

const STATUS: Record<ErrorKind, number> = {
  bad_data: 400,
  execution: 422,
  canceled: 499,
  timeout: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  not_acceptable: 406,
  unauthorized: 401,
  too_many_requests: 429,
};

export function httpStatusOf(kind: ErrorKind): number {
  return STATUS[kind];
}

export function toApiError(err: unknown): { status: number; body: ApiErrorBody } {
  const kind: ErrorKind = err instanceof ThanosEdgeError ? err.kind : 'internal';
  return {
    status: STATUS[kind],
    body: { status: 'error', errorType: kind, error: errorMessage(err) },
  };
}

/** The TooManyRequestsError behind `err`, if any (a query's failure wraps what refused it). */
function tooManyRequests(err: unknown): TooManyRequestsError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TooManyRequestsError) return e;
  }
  return undefined;
}

export function apiErrorResponse(err: unknown): Response {
  const { status, body } = toApiError(err);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const tooMany = tooManyRequests(err);
  if (tooMany) headers['retry-after'] = String(tooMany.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status, headers });
}
