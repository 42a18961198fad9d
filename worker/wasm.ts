/**
 * @module worker/wasm — workerd glue for the WASM XOR codec: wrangler bundles
 * wasm/build/xor.wasm as a CompiledWasm module (precompiled at deploy, no runtime compile), and
 * the runtime-neutral loader in core/chunkenc/wasm.ts instantiates it once per isolate.
 */
import xorModule from '../wasm/build/xor.wasm';
import { instantiateXorCodec, type XorBatchCodec } from '../core/chunkenc/wasm.ts';

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
