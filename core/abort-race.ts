/**
 * @module core/abort-race — `p`, or the signal's reason as soon as it aborts, without leaking.
 *
 * `Promise.race([p, aborted])` against one long-lived `aborted` promise leaves a reaction on it per
 * call, each holding the race's own promise and so the value `p` settled with: racing every batch
 * of a stream that way keeps every batch alive until the signal settles (a query's whole input,
 * although it is consumed a batch at a time). Here the listener is removed once `p` settles.
 */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
