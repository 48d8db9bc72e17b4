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
      return new OrtSessionAdapter(s, ort.Tensor as unknown as OrtTensorCtor, info);
    },
  };
}
