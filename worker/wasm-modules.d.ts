/** @module worker/wasm-modules — types for wrangler's CompiledWasm imports (`import m from './x.wasm'`). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
