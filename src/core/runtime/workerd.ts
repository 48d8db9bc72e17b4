/**
 * Cloudflare Workers (workerd) runtime adapter: onnxruntime-web's WASM-SIMD backend, single-threaded.
 * Workers forbid compiling wasm from bytes ("Wasm code generation disallowed by embedder"), so the worker
 * imports the .wasm file as a module (wrangler hands over a WebAssembly.Module) and passes it here; we give
 * ORT a placeholder binary and swap the placeholder for the Module when ORT's glue instantiates it.
 * ORT 1.30 has no option that accepts a Module directly (see shared EDGE-NOTES).
 */
import * as ort from 'onnxruntime-web/wasm';
import { InvalidInputError } from '../errors.js';
import { OrtSessionAdapter, type OrtTensorCtor } from './ort-session.js';
import type { BackendInfo, Runtime } from './types.js';

// The smallest valid wasm header: ORT only needs *a* binary to hand to WebAssembly.instantiate.
const PLACEHOLDER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let installedModule: WebAssembly.Module | undefined;

function installWasmModule(module: WebAssembly.Module): void {
  if (installedModule) {
    if (installedModule !== module) throw new Error('createWorkerdRuntime: a different wasm module was already installed in this isolate');
    return;
  }
  installedModule = module;
  const original = WebAssembly.instantiate.bind(WebAssembly) as (src: unknown, imports?: WebAssembly.Imports) => Promise<unknown>;
  const swapped = async (src: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
    const bytes = src instanceof ArrayBuffer ? new Uint8Array(src) : ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : undefined;
    if (bytes && bytes.byteLength === PLACEHOLDER.byteLength && bytes.every((b, i) => b === PLACEHOLDER[i])) {
      const instance = await WebAssembly.instantiate(module, imports);
      return { instance, module };
    }
    return original(src, imports);
  };
  (WebAssembly as unknown as { instantiate: typeof swapped }).instantiate = swapped;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER;
}

/**
 * @param wasmModule the ORT wasm (`ort-wasm-simd-threaded.wasm`) imported as a module by the worker entry.
 * @example import ortWasm from './generated/ort-wasm-simd-threaded.wasm'; const rt = createWorkerdRuntime(ortWasm);
 */
export function createWorkerdRuntime(wasmModule: WebAssembly.Module): Runtime {
  if (!(wasmModule instanceof WebAssembly.Module)) {
    throw new InvalidInputError('createWorkerdRuntime needs the ORT wasm as a WebAssembly.Module (import the .wasm file in the worker)', { param: 'wasmModule' });
  }
  installWasmModule(wasmModule);
  const info: BackendInfo = { platform: 'workerd', backend: 'wasm', runtime: `onnxruntime-web@${ort.env.versions?.web ?? '1.30.0'}`, threads: 1 };
  return {
    platform: 'workerd',
    describe: () => info,
    async createSession(bytes) {
      let s;
      try {
        s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      } catch (err) {
        throw new InvalidInputError(`could not load the ONNX model (wasm): ${(err as Error).message}`, { param: 'model', code: 'bad_model', cause: err });
      }
      return new OrtSessionAdapter(s, ort.Tensor as unknown as OrtTensorCtor, info, eventLoopTurn);
    },
  };
}

/**
 * A macrotask turn (setTimeout goes through workerd's event loop; microtasks do not), awaited after every run.
 * ORT's wasm runs synchronously on the isolate's only thread and awaiting its promise is a microtask, so an
 * explainer's loop of runs would otherwise hold the event loop for the whole request: no other request is read,
 * no finished response is written, and workerd's HTTP server drops keep-alive connections whose next request it
 * could not read in time (its pipeline timeout), which `wrangler dev`'s proxy reports as "Your worker restarted
 * mid-request" under 20 concurrent RISE requests.
 */
function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
