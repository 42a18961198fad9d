/**
 * @module sidecar-agent/wasm — Node glue for the WASM XOR codec: compiles wasm/build/xor.wasm
 * (made by `npm run build:wasm`, also run at postinstall) once and hands it to the runtime-neutral
 * loader in core/chunkenc/wasm.ts. Likewise wasm/build/crc32c.wasm, the CRC-32C kernel the agent
 * installs at startup (`installCrc32cKernelNode`) for every checksum it computes or verifies, and
 * the query kernels (`installQueryKernelsNode`): wasm/build/points.wasm, the writer of range
 * answers' points, and the engine's regression and rate kernels.
 */
import { readFile } from 'node:fs/promises';
import { instantiateXorCodec, type XorBatchCodec } from '../core/chunkenc/wasm.ts';
import { installCrc32cKernel, type Crc32cKernel } from '../core/tsdb/crc32c.ts';
import { installPointsKernel, type PointsKernel } from '../core/api/json-bytes.ts';
import { newPointsKernel } from '../core/api/points-wasm.ts';
import {
  installRegressionKernel,
  type RegressionKernel,
} from '../core/promql/functions/regression.ts';
import { newRegressionKernel } from '../core/promql/functions/regression-wasm.ts';
import { installRateKernel, type RateKernel } from '../core/promql/functions/rate.ts';
import { newRateKernel } from '../core/promql/functions/rate-wasm.ts';
import { installOverTimeKernel, type OverTimeKernel } from '../core/promql/functions/over-time.ts';
import { newOverTimeKernel } from '../core/promql/functions/over-time-wasm.ts';
import { instantiateCrc32cKernel } from '../core/tsdb/crc32c-wasm.ts';
import { newGzipEncoders, type GzipEncoders } from '../core/api/gzip-wasm.ts';
import { installSnappyKernel, type SnappyKernel } from '../core/tsdb/wal/snappy.ts';
import { newSnappyKernel } from '../core/tsdb/wal/snappy-wasm.ts';

const XOR_WASM = new URL('../wasm/build/xor.wasm', import.meta.url);
const CRC32C_WASM = new URL('../wasm/build/crc32c.wasm', import.meta.url);
const POINTS_WASM = new URL('../wasm/build/points.wasm', import.meta.url);
const REGRESSION_WASM = new URL('../wasm/build/regression.wasm', import.meta.url);
const RATE_WASM = new URL('../wasm/build/rate.wasm', import.meta.url);
const OVER_TIME_WASM = new URL('../wasm/build/over-time.wasm', import.meta.url);
const GZIP_WASM = new URL('../wasm/build/gzip.wasm', import.meta.url);
const SNAPPY_WASM = new URL('../wasm/build/snappy.wasm', import.meta.url);

/** A kernel made from wasm/build/<file>, its module compiled once per process. */
function kernelOnce<K>(
  url: URL,
  make: (module: WebAssembly.Module) => K | Promise<K>,
): () => Promise<K> {
  let promise: Promise<K> | undefined;
  return () => {
    promise ??= readFile(url).then(
      async (bytes) => make(await WebAssembly.compile(bytes)),
      (err: unknown) => {
        promise = undefined;
        throw new Error(`cannot read ${url.pathname}: run \`npm run build:wasm\``, { cause: err });
      },
    );
    return promise;
  };
}

let codecPromise: Promise<XorBatchCodec> | undefined;

/** The compiled kernel module (compiled once per process). */
export const loadXorModuleNode: () => Promise<WebAssembly.Module> = kernelOnce(
  XOR_WASM,
  (module) => module,
);

/**
 * A process-wide codec. Its decode results are views valid until its next call (see
 * DecodeOptions.copy); a consumer that keeps views across other consumers' calls should make its
 * own codec with `newXorCodecNode()`.
 */
export function loadXorCodecNode(): Promise<XorBatchCodec> {
  codecPromise ??= loadXorModuleNode().then(instantiateXorCodec);
  return codecPromise;
}

/** A fresh codec with its own linear memory. */
export async function newXorCodecNode(): Promise<XorBatchCodec> {
  return instantiateXorCodec(await loadXorModuleNode());
}

/** The process's WASM CRC-32C kernel (compiled and instantiated once). */
export const loadCrc32cKernelNode: () => Promise<Crc32cKernel> = kernelOnce(
  CRC32C_WASM,
  instantiateCrc32cKernel,
);

/** Installs the WASM CRC-32C kernel for `crc32c()` in this process (core/tsdb/crc32c.ts). */
export async function installCrc32cKernelNode(): Promise<void> {
  installCrc32cKernel(await loadCrc32cKernelNode());
}

/** The process's WASM snappy decoder (compiled and instantiated once). */
export const loadSnappyKernelNode: () => Promise<SnappyKernel> = kernelOnce(
  SNAPPY_WASM,
  newSnappyKernel,
);

/** Installs the WASM snappy decoder for `snappyDecode()` (WAL records, remote read and write). */
export async function installSnappyKernelNode(): Promise<void> {
  installSnappyKernel(await loadSnappyKernelNode());
}

/** The process's WASM points writer (core/api/points-wasm.ts). */
export const loadPointsKernelNode: () => Promise<PointsKernel> = kernelOnce(
  POINTS_WASM,
  newPointsKernel,
);

/** The process's WASM regression kernel (deriv, predict_linear). */
export const loadRegressionKernelNode: () => Promise<RegressionKernel> = kernelOnce(
  REGRESSION_WASM,
  newRegressionKernel,
);

/** The process's WASM rate kernel (rate, increase, delta). */
export const loadRateKernelNode: () => Promise<RateKernel> = kernelOnce(RATE_WASM, newRateKernel);

/** The process's WASM over-time kernel (avg, sum, stdvar, stddev_over_time). */
export const loadOverTimeKernelNode: () => Promise<OverTimeKernel> = kernelOnce(
  OVER_TIME_WASM,
  newOverTimeKernel,
);

/** The process's WASM gzip encoders (core/api/gzip-wasm.ts). */
export const loadGzipEncodersNode: () => Promise<GzipEncoders> = kernelOnce(
  GZIP_WASM,
  newGzipEncoders,
);

/** Installs the WASM points writer and the engine's kernels for the queries this process answers. */
export async function installQueryKernelsNode(): Promise<void> {
  installPointsKernel(await loadPointsKernelNode());
  installRegressionKernel(await loadRegressionKernelNode());
  installRateKernel(await loadRateKernelNode());
  installOverTimeKernel(await loadOverTimeKernelNode());
}
