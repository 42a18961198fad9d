/**
 * @module sidecar-agent/wasm — Node glue for the WASM XOR codec: compiles wasm/build/xor.wasm
 * (made by `npm run build:wasm`, also run at postinstall) once and hands it to the runtime-neutral
 * loader in core/chunkenc/wasm.ts.
 */
import { readFile } from 'node:fs/promises';
import { instantiateXorCodec, type XorBatchCodec } from '../core/chunkenc/wasm.ts';

const XOR_WASM = new URL('../wasm/build/xor.wasm', import.meta.url);

let modulePromise: Promise<WebAssembly.Module> | undefined;
let codecPromise: Promise<XorBatchCodec> | undefined;

/** The compiled kernel module (compiled once per process). */
export function loadXorModuleNode(): Promise<WebAssembly.Module> {
  modulePromise ??= readFile(XOR_WASM).then(
    (bytes) => WebAssembly.compile(bytes),
    (err: unknown) => {
      modulePromise = undefined;
      throw new Error(`cannot read ${XOR_WASM.pathname}: run \`npm run build:wasm\``, {
        cause: err,
      });
    },
  );
  return modulePromise;
}

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
