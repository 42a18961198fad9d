/**
 * @module core/gocompat — Go's standard library where Prometheus and Thanos expose its exact
 * behaviour: strconv (float formatting and number parsing, quoting), sort, container/heap, math,
 * time and durations (Go's and Prometheus's model.Duration). One of each.
 */
export * from './strconv.ts';
export * from './quote.ts';
export * from './unquote.ts';
export * from './sort.ts';
export * from './heap.ts';
export * from './math.ts';
export * from './math-trig.ts';
export * from './fma.ts';
export * from './time.ts';
export * from './duration.ts';
export * from './bytes.ts';
