/**
 * Worker entry (wrangler.toml `main`): the Hono app with onnxruntime-web's wasm handed over as a module.
 */
import { createWorkerdRuntime } from '../src/core/runtime/workerd.js';
import type { Runtime } from '../src/core/runtime/types.js';
import { createApp } from './app.js';
// Copied from onnxruntime-web by scripts/copy-wasm.mjs; wrangler imports .wasm files as WebAssembly.Module.
import ortWasm from './generated/ort-wasm-simd-threaded.wasm';

let runtime: Runtime | undefined;
const app = createApp(() => (runtime ??= createWorkerdRuntime(ortWasm)));

export default app;
