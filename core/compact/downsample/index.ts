/** @module core/compact/downsample — Thanos's downsampling to 5m and 1h (re-exports). */
export * from './aggregator.ts';
export * from './block.ts';
export * from './plan.ts';
export * from './series.ts';
