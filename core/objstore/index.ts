/** @module core/objstore — object storage: the Bucket contract, its implementations and decorators. */
export * from './bucket.ts';
export * from './errors.ts';
export * from './instrumented.ts';
export * from './prefixed.ts';
export * from './r2.ts';
export * from './s3.ts';
export * from './config.ts';
export * from './sse.ts';
export * from './azure.ts';
