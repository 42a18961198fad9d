/** @module core/tsdb/writer — writing Prometheus TSDB blocks (re-exports). */
export * from './block-writer.ts';
export * from './chunk-cutter.ts';
export * from './chunk-writer.ts';
export * from './head.ts';
export * from './index-writer.ts';
export * from './sink.ts';
