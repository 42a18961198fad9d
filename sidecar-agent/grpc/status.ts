/**
 * @module sidecar-agent/grpc/status — gRPC status codes (grpc/doc/statuscodes.md) and the one
 * mapping from our typed errors to them. A status travels in the `grpc-status` and
 * `grpc-message` trailers; the message is percent-encoded (grpc PROTOCOL-HTTP2.md).
 */
import {
  LimitExceededError,
  NotSupportedError,
  ThanosEdgeError,
  TooManySamplesError,
  errorMessage,
} from '../../core/errors.ts';

export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];

/** Names as grpc-go's codes.Code String() spells them (the `grpc_code` label of its metrics). */
export const STATUS_NAMES: Readonly<Record<StatusCode, string>> = {
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  8: 'ResourceExhausted',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  16: 'Unauthenticated',
};

/** A failure that already knows its gRPC status (bad framing, unknown method, deadline). */
export class GrpcError extends Error {
  override readonly name = 'GrpcError';
  readonly code: StatusCode;
  constructor(code: StatusCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The status of a failed call: limits are RESOURCE_EXHAUSTED, the rest by error kind. */
export function statusOf(err: unknown): StatusCode {
  if (err instanceof GrpcError) return err.code;
  if (err instanceof LimitExceededError || err instanceof TooManySamplesError)
    return Status.RESOURCE_EXHAUSTED;
  if (err instanceof NotSupportedError) return Status.UNIMPLEMENTED;
  if (!(err instanceof ThanosEdgeError)) return Status.UNKNOWN;
  switch (err.kind) {
    case 'bad_data':
    case 'not_acceptable':
      return Status.INVALID_ARGUMENT;
    case 'timeout':
      return Status.DEADLINE_EXCEEDED;
    case 'canceled':
      return Status.CANCELLED;
    case 'not_found':
      return Status.NOT_FOUND;
    case 'unavailable':
      return Status.UNAVAILABLE;
    case 'unauthorized':
      return Status.UNAUTHENTICATED;
    case 'too_many_requests':
      return Status.RESOURCE_EXHAUSTED;
    case 'execution':
    case 'internal':
      return Status.INTERNAL;
  }
}

/**
 * The grpc-message of a failure, naming the store it concerns unless the message already does
 * (block errors name their block themselves).
 */
export function statusMessage(err: unknown, store: string): string {
  const msg = errorMessage(err);
  return msg.includes(store) ? msg : `${store}: ${msg}`;
}

/** Percent-encodes a grpc-message: bytes outside printable ASCII, and `%` itself. */
export function encodeGrpcMessage(msg: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(msg)) {
    out +=
      b >= 0x20 && b <= 0x7e && b !== 0x25
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
