// `@crys/lattice/internal`: plumbing the other @crys packages share. Not part of the public API; it may change in
// any release.
export type { WasmLoader } from './wasm-loader.js';
export { isNode, resolveFromModule, wasmBindgenLoader } from './wasm-loader.js';
export { assertCount, assertPositive, assertPositiveInteger } from './validate.js';
