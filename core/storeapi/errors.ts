/** @module core/storeapi/errors — failures of one store, named after the store they concern. */
import { ThanosEdgeError, errorMessage, type ErrorKind } from '../errors.ts';

/** A store endpoint failed: unreachable, non-2xx, or a broken stream. */
export class StoreUnavailableError extends ThanosEdgeError {
  override readonly name = 'StoreUnavailableError';
  readonly kind = 'unavailable' as const;
}

/** Any failure of one store, with the store's name in the message and the cause's kind kept. */
export class StoreFailedError extends ThanosEdgeError {
  override readonly name = 'StoreFailedError';
  readonly kind: ErrorKind;
  readonly store: string;
  constructor(store: string, cause: unknown) {
    const msg = errorMessage(cause);
    super(msg.includes(store) ? msg : `store ${store}: ${msg}`, { cause });
    this.store = store;
    this.kind = cause instanceof ThanosEdgeError ? cause.kind : 'unavailable';
  }
}
