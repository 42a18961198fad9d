/**
 * @module core/promql/value — columnar runtime values of the engine.
 *
 * Every expression is evaluated for all steps of the query at once (an instant query is a range of
 * one step). An instant vector is a set of series with one slot per step (`values[i]`, valid when
 * `present[i] === 1`), never an object per sample. A range vector keeps each series' raw samples in
 * typed arrays plus, per step, the end of the window the step looks at; range functions slide over
 * them. Times are milliseconds since the epoch, carried as float64 (exact for int64 ms up to 2^53).
 */
import type { Labels } from '../labels/labels.ts';

/** The steps an expression is evaluated at: start, start+interval, …, end (count of them). */
export interface EvalRange {
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly count: number;
  /** times[i] = start + i * interval. */
  readonly times: Float64Array;
}

export interface StepSeries {
  readonly labels: Labels;
  readonly values: Float64Array;
  readonly present: Uint8Array;
  /**
   * Timestamps of the samples selected at each step, set only by a plain vector selector
   * (Prometheus's `timestamp(v)` returns the sample's own time, not the step time).
   */
  readonly timestamps?: Float64Array;
}

export interface VectorValue {
  readonly type: 'vector';
  readonly series: StepSeries[];
}

export interface ScalarValue {
  readonly type: 'scalar';
  /** One value per step. */
  readonly values: Float64Array;
}

export interface StringValue {
  readonly type: 'string';
  readonly value: string;
}

/** Raw samples of one series, ascending by time, stale markers already removed. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Number of valid samples in t/v (the arrays may have spare capacity). */
  readonly length: number;
  /** Raw samples behind each sample of downsampled data (RawSeries.counts); absent: one each. */
  readonly counts?: Float64Array;
}

/**
 * A range vector as a function argument: for step i the window is the closed interval
 * [windowEnd[i] - range, windowEnd[i]] (Prometheus 2.x includes both ends). windowEnd already
 * accounts for offset and @; it is non-decreasing across steps.
 */
export interface MatrixValue {
  readonly type: 'matrix';
  readonly series: RangeSeries[];
  readonly range: number;
  readonly windowEnd: Float64Array;
}

export type Value = VectorValue | ScalarValue | StringValue | MatrixValue;

/** Bytes of one step of a StepSeries: a float64 value and a presence byte. */
export const OUTPUT_STEP_BYTES = 9;

/** What the engine gives a function implementation besides its evaluated arguments. */
export interface FunctionContext {
  readonly range: EvalRange;
  /** Lookback delta in ms (5m default). */
  readonly lookbackDelta: number;
  /** Charges `n` samples against the query's max-samples limit; throws TooManySamplesError past it. */
  track(n: number): void;
  /**
   * Charges `bytes` of output about to be made (a series' values and presence) to the query's
   * memory budget; throws past it, and now and then when the query is out of time or canceled.
   */
  charge(bytes: number): void;
}
