/**
 * @module core/promql/engine/limits — per-query limits: the max-samples budget (Prometheus's
 * `query processing would load too many samples into memory in query execution`), a deadline
 * checked between nodes and batches (`query timed out in <phase>`), and a byte budget for raw
 * samples held in memory (a Worker isolate has 128 MB).
 */
import {
  ExecutionError,
  QueryCanceledError,
  QueryTimeoutError,
  TooManyRequestsError,
  TooManySamplesError,
} from '../../errors.ts';

/** Prometheus's `env` for evaluation errors. */
export const ENV_QUERY_EXECUTION = 'query execution';
/**
 * Evaluation steps (node entries and exits, batches) between two turns of the event loop: a few
 * ms of work each; a zero timer costs about 1 ms in Node, so not far fewer.
 */
const YIELD_EVERY = 128;

/** Bytes of one raw sample held as a float64 timestamp and a float64 value. */
export const BYTES_PER_SAMPLE = 16;
/** Output pieces an operator may charge between two deadline and cancellation checks. */
const CHARGES_PER_CHECK = 64;

/**
 * What an operator calls before it allocates a piece of its output (an output series, a present
 * mask): the bytes are charged to the query's budget, which throws past it, so an operator whose
 * output outgrows its input (a many-to-one match over churning series, a step-invariant result
 * spread over every step, count_values) stops at the budget instead of after allocating it all.
 * Every few charges it also checks the deadline and cancellation.
 */
export type ChargeOutput = (bytes: number) => void;

/** Seconds a query refused by a full SharedByteBudget is told to wait before it retries. */
const SHARED_RETRY_AFTER_SECONDS = 1;

/**
 * A byte budget the queries running in one process share (a Worker isolate has 128 MB for all
 * of them, and each query's own maxBytes does not bound their sum). A query that would take it
 * past its limit is refused as too many requests: a retry once others are done can succeed.
 */
export class SharedByteBudget {
  readonly limit: number;
  #held = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes held by the queries running now. */
  get held(): number {
    return this.#held;
  }

  add(n: number): void {
    if (n > 0 && this.#held + n > this.limit) {
      throw new TooManyRequestsError(
        `queries running at once would hold ${this.#held + n} bytes, over the limit of ${this.limit} they share: retry when some are done`,
        SHARED_RETRY_AFTER_SECONDS,
      );
    }
    this.#held += n;
  }

  release(n: number): void {
    this.#held = Math.max(0, this.#held - n);
  }
}

export interface LimitsOptions {
  /** Max samples in memory at once (Prometheus --query.max-samples, default 50,000,000). */
  readonly maxSamples: number;
  /** Absolute deadline, ms since epoch (Date.now() clock); Infinity for none. */
  readonly deadline: number;
  /**
   * Max bytes the query may hold: raw samples loaded from storage plus the typed arrays of
   * intermediate results; Infinity for none. Keeps a query inside a Worker's 128 MB.
   */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /** The budget this query shares with the others running beside it, if any. */
  readonly shared?: SharedByteBudget;
}

export class QueryLimits {
  readonly maxSamples: number;
  #current = 0;
  #peak = 0;
  #total = 0;
  #bytes = 0;
  #peakBytes = 0;
  #loaded = 0;
  #calls = 0;
  #charges = 0;
  #outputCharged = 0;
  readonly #deadline: number;
  readonly #maxBytes: number;
  readonly #signal: AbortSignal | undefined;
  readonly #shared: SharedByteBudget | undefined;
  /** Bytes this query has taken from the shared budget and not given back. */
  #sharedHeld = 0;

  constructor(opts: LimitsOptions) {
    this.maxSamples = opts.maxSamples;
    this.#deadline = opts.deadline;
    this.#maxBytes = opts.maxBytes;
    this.#signal = opts.signal;
    this.#shared = opts.shared;
  }

  /** Samples currently accounted as held in memory. */
  get current(): number {
    return this.#current;
  }
  get peak(): number {
    return this.#peak;
  }
  /** Samples loaded or produced in total (query stats). */
  get total(): number {
    return this.#total;
  }

  /** Adds n samples; throws once more than maxSamples are held. */
  add(n: number): void {
    this.#current += n;
    this.#total += n > 0 ? n : 0;
    if (this.#current > this.#peak) this.#peak = this.#current;
    if (this.#current > this.maxSamples) throw new TooManySamplesError(ENV_QUERY_EXECUTION);
  }

  /** Releases n samples (the node that held them is done). */
  release(n: number): void {
    this.#current -= n;
    if (this.#current < 0) this.#current = 0;
  }

  /** Raw samples read from storage so far (query stats). */
  get loaded(): number {
    return this.#loaded;
  }

  addLoaded(n: number): void {
    this.#loaded += n;
  }

  /** Bytes currently accounted as held (raw samples and intermediate results). */
  get bytes(): number {
    return this.#bytes;
  }
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Accounts n bytes held in memory; throws past maxBytes. */
  addBytes(n: number): void {
    this.#bytes += n;
    if (this.#bytes > this.#peakBytes) this.#peakBytes = this.#bytes;
    if (this.#bytes > this.#maxBytes) {
      throw new ExecutionError(
        `query processing would use too much memory in ${ENV_QUERY_EXECUTION}: ${this.#bytes} bytes exceed the limit of ${this.#maxBytes}`,
      );
    }
    if (this.#shared !== undefined && n > 0) {
      this.#shared.add(n);
      this.#sharedHeld += n;
    }
  }

  /** A ChargeOutput bound to this query (see ChargeOutput). */
  readonly chargeOutput: ChargeOutput = (bytes) => {
    this.#outputCharged += bytes;
    this.addBytes(bytes);
    if (++this.#charges % CHARGES_PER_CHECK === 0) this.check('expression evaluation');
  };

  /**
   * Bytes charged through chargeOutput so far. The evaluator notes it when a node starts and
   * rewinds it when the node ends, so what a node charged for its own output is counted once.
   */
  get outputCharged(): number {
    return this.#outputCharged;
  }

  rewindOutputCharged(to: number): void {
    this.#outputCharged = to;
  }

  releaseBytes(n: number): void {
    this.#bytes -= n;
    if (this.#bytes < 0) this.#bytes = 0;
    if (this.#shared !== undefined && n > 0) {
      const back = Math.min(n, this.#sharedHeld);
      this.#shared.release(back);
      this.#sharedHeld -= back;
    }
  }

  /** The query is over: whatever it still holds goes back to the shared budget. */
  close(): void {
    this.#shared?.release(this.#sharedHeld);
    this.#sharedHeld = 0;
  }

  /**
   * Every YIELD_EVERY calls, lets the event loop run (a zero timer) before going on, then checks
   * the deadline. Evaluation over data already in memory resolves only microtasks, so without
   * this one query holds the isolate until it ends and `/-/healthy` or any other request waits
   * behind it. Counted in calls, not time: workerd's clock stands still while code runs.
   */
  async breathe(phase: string): Promise<void> {
    if (++this.#calls % YIELD_EVERY === 0) await new Promise<void>((r) => setTimeout(r, 0));
    this.check(phase);
  }

  /** Throws QueryTimeoutError / QueryCanceledError when the query must stop. */
  check(phase: string): void {
    if (this.#signal?.aborted) throw new QueryCanceledError(`query was canceled in ${phase}`);
    if (this.#deadline !== Infinity && Date.now() > this.#deadline) {
      throw new QueryTimeoutError(`query timed out in ${phase}`);
    }
  }
}
