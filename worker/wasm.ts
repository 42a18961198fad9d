/**
 * @module worker/wasm — workerd glue for the WASM XOR codec: wrangler bundles
 * wasm/build/xor.wasm as a CompiledWasm module (precompiled at deploy, no runtime compile), and
 * the runtime-neutral loader in core/chunkenc/wasm.ts instantiates it once per isolate. Likewise
 * the CRC-32C kernel (wasm/build/crc32c.wasm), installed for every checksum the isolate verifies,
 * the points writer (wasm/build/points.wasm) for every range answer it writes, the regression
 * kernel (wasm/build/regression.wasm) for deriv and predict_linear, the rate kernel
 * (wasm/build/rate.wasm) for rate, increase and delta, and the over-time kernel
 * (wasm/build/over-time.wasm) for avg, sum, stdvar and stddev_over_time, the gzip encoder
 * (wasm/build/gzip.wasm) for the answers the Worker compresses itself (worker/compress.ts), and
 * the snappy decoder (wasm/build/snappy.wasm) for remote-write bodies.
 */
import xorModule from '../wasm/build/xor.wasm';
import crc32cModule from '../wasm/build/crc32c.wasm';
import pointsModule from '../wasm/build/points.wasm';
import regressionModule from '../wasm/build/regression.wasm';
import rateModule from '../wasm/build/rate.wasm';
import overTimeModule from '../wasm/build/over-time.wasm';
import gzipModule from '../wasm/build/gzip.wasm';
import snappyModule from '../wasm/build/snappy.wasm';
import { instantiateXorCodec, type XorBatchCodec } from '../core/chunkenc/wasm.ts';
import { installCrc32cKernel } from '../core/tsdb/crc32c.ts';
import { newCrc32cKernel } from '../core/tsdb/crc32c-wasm.ts';
import { installPointsKernel } from '../core/api/json-bytes.ts';
import { newPointsKernel } from '../core/api/points-wasm.ts';
import { installRegressionKernel } from '../core/promql/functions/regression.ts';
import { newRegressionKernel } from '../core/promql/functions/regression-wasm.ts';
import { installRateKernel } from '../core/promql/functions/rate.ts';
import { newRateKernel } from '../core/promql/functions/rate-wasm.ts';
import { installOverTimeKernel } from '../core/promql/functions/over-time.ts';
import { newOverTimeKernel } from '../core/promql/functions/over-time-wasm.ts';
import { newGzipEncoders, type GzipEncoders } from '../core/api/gzip-wasm.ts';
import { installSnappyKernel } from '../core/tsdb/wal/snappy.ts';
import { newSnappyKernel } from '../core/tsdb/wal/snappy-wasm.ts';

let codecPromise: Promise<XorBatchCodec> | undefined;

/**
 * The isolate's codec. Decode results are views valid until its next call (DecodeOptions.copy);
 * requests in one isolate interleave only at awaits, so decode and consume between awaits.
 */
export function loadXorCodec(): Promise<XorBatchCodec> {
  codecPromise ??= instantiateXorCodec(xorModule);
  return codecPromise;
}

/** A fresh codec with its own linear memory (for a consumer that holds results across awaits). */
export function newXorCodec(): Promise<XorBatchCodec> {
  return instantiateXorCodec(xorModule);
}

let crc32cInstalled = false;

/**
 * Installs the WASM CRC-32C kernel for this isolate (core/tsdb/crc32c.ts); synchronous, so the
 * entry module calls it at startup and every isolate (querier, store shards) has it.
 */
export function installCrc32cKernelWorker(): void {
  if (crc32cInstalled) return;
  installCrc32cKernel(newCrc32cKernel(crc32cModule));
  crc32cInstalled = true;
}

let snappyInstalled = false;

/**
 * Installs the WASM snappy decoder for this isolate (core/tsdb/wal/snappy.ts): every remote write
 * is a snappy body, and workerd runs the JS decoder's byte loops several times slower than WASM's
 * `memory.copy`.
 */
export function installSnappyKernelWorker(): void {
  if (snappyInstalled) return;
  installSnappyKernel(newSnappyKernel(snappyModule));
  snappyInstalled = true;
}

let queryKernelsInstalled = false;

/**
 * Installs the WASM points writer for this isolate's JSON answers (core/api/json-bytes.ts) and the
 * engine's kernels (regression for deriv and predict_linear, rate for rate, increase and delta,
 * over-time for avg/sum/stdvar/stddev_over_time):
 * JS number loops run several times slower in workerd than the same loops as WASM.
 */
export function installQueryKernelsWorker(): void {
  if (queryKernelsInstalled) return;
  installPointsKernel(newPointsKernel(pointsModule));
  installRegressionKernel(newRegressionKernel(regressionModule));
  installRateKernel(newRateKernel(rateModule));
  installOverTimeKernel(newOverTimeKernel(overTimeModule));
  queryKernelsInstalled = true;
}

let gzipEncoders: GzipEncoders | undefined;

/** The isolate's pool of gzip encoders (an instance per body being compressed). */
export function gzipEncodersWorker(): GzipEncoders {
  gzipEncoders ??= newGzipEncoders(gzipModule);
  return gzipEncoders;
}
