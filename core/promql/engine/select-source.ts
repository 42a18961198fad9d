/**
 * @module core/promql/engine/select-source — one selector's series as the evaluator pulls them:
 * the select is issued ahead of evaluation (a SelectWindow keeps a few selectors' store requests
 * running at once) and its first batch fetched ahead; the evaluator then pulls batch by batch. Every pull races the
 * query's abort signal, so a store that ignores the signal cannot hold the query past its
 * deadline, and store failures become Prometheus's `expanding series: <err>`.
 */
import { raceAbort } from '../../abort-race.ts';
import { StorageError, ThanosEdgeError, errorMessage } from '../../errors.ts';
import type { VectorSelector } from '../ast.ts';
import type { Queryable, RawSeries, SelectHints, SeriesSet } from '../storage/queryable.ts';

/**
 * Keeps the selects of the next few selectors in flight ahead of evaluation, in evaluation order.
 * Not all at once: a query of a thousand selectors read them all concurrently, so their reads'
 * work queued ahead of everything else in the isolate (`/-/healthy` waited 9 s) and past the
 * query's deadline.
 */
export class SelectWindow {
  readonly #order: SelectSource[] = [];
  readonly #ahead: number;
  #primed = 0;
  #started = 0;

  constructor(ahead: number) {
    this.#ahead = ahead;
  }

  add(source: SelectSource): void {
    this.#order.push(source);
  }

  /** Primes the first sources (the query starts). */
  open(): void {
    this.#fill();
  }

  /** A source's evaluation began: one more may be primed. */
  started(): void {
    this.#started++;
    this.#fill();
  }

  #fill(): void {
    while (this.#primed < this.#order.length && this.#primed < this.#started + this.#ahead) {
      this.#order[this.#primed++]!.prime();
    }
  }
}

export class SelectSource {
  readonly #queryable: Queryable;
  readonly #vs: VectorSelector;
  readonly #hints: SelectHints;
  readonly #signal: AbortSignal;
  #primed:
    | {
        set: SeriesSet;
        it: AsyncIterator<readonly RawSeries[]>;
        first: Promise<IteratorResult<readonly RawSeries[]>>;
      }
    | undefined;
  readonly #sets: SeriesSet[] = [];
  readonly #window: SelectWindow | undefined;
  #started = false;

  constructor(
    queryable: Queryable,
    vs: VectorSelector,
    hints: SelectHints,
    signal: AbortSignal,
    window?: SelectWindow,
  ) {
    this.#queryable = queryable;
    this.#vs = vs;
    this.#hints = hints;
    this.#signal = signal;
    this.#window = window;
    window?.add(this);
  }

  get hints(): SelectHints {
    return this.#hints;
  }

  /** Issues the select and starts fetching its first batch. */
  prime(): void {
    // Once evaluation pulled it, priming would only select a second time.
    if (this.#primed || this.#started) return;
    const set = this.#select();
    const it = set[Symbol.asyncIterator]();
    const first = it.next();
    // Observed later by batches(); a rejection here must not surface as unhandled meanwhile.
    first.catch(() => {});
    this.#primed = { set, it, first };
  }

  #select(): SeriesSet {
    let set: SeriesSet;
    try {
      set = this.#queryable.select(this.#vs.matchers, this.#hints);
    } catch (err) {
      throw storageError(err);
    }
    this.#sets.push(set);
    return set;
  }

  /** The batches, in order. A second pass selects again (each node normally runs once). */
  async *batches(): AsyncGenerator<readonly RawSeries[]> {
    let it: AsyncIterator<readonly RawSeries[]>;
    let next: Promise<IteratorResult<readonly RawSeries[]>>;
    if (!this.#started) {
      this.#started = true;
      this.#window?.started();
    }
    if (this.#primed) {
      ({ it, first: next } = this.#primed);
      this.#primed = undefined;
    } else {
      it = this.#select()[Symbol.asyncIterator]();
      next = it.next();
    }
    try {
      for (;;) {
        let r: IteratorResult<readonly RawSeries[]>;
        try {
          r = await raceAbort(next, this.#signal);
        } catch (err) {
          throw storageError(err);
        }
        if (r.done) return;
        yield r.value;
        next = it.next();
      }
    } finally {
      await raceAbort(Promise.resolve(it.return?.()), this.#signal).catch(() => {});
    }
  }

  /** Every series at once (a result that is itself a range vector, or a function needing all). */
  async all(): Promise<RawSeries[]> {
    const out: RawSeries[] = [];
    for await (const b of this.batches()) for (const s of b) out.push(s);
    return out;
  }

  /** Warnings of every select this source made. */
  warnings(): string[] {
    return this.#sets.flatMap((s) => s.warnings);
  }

  /** Lets a primed but never consumed select go (its store stops). */
  async close(): Promise<void> {
    const p = this.#primed;
    this.#primed = undefined;
    if (p) await raceAbort(Promise.resolve(p.it.return?.()), this.#signal).catch(() => {});
  }
}

function storageError(err: unknown): Error {
  if (err instanceof ThanosEdgeError) return err;
  // Prometheus reports storage failures as `expanding series: <err>`.
  return new StorageError(`expanding series: ${errorMessage(err)}`, { cause: err });
}
