// Loads a model on the device: the browser runtime (WebGPU, then WASM, or the one asked for) and the model
// from the site's /models/ or from bytes the user dropped in. Shared by the explain and shard workers.
import { LoadedModel } from '../../../../src/core/models/loaded-model.js';
import { parseManifest } from '../../../../src/core/models/manifest.js';
import { FetchModelStore } from '../../../../src/core/models/registry.js';
import { createBrowserRuntime, type BrowserBackend } from '../../../../src/core/runtime/browser.js';
import type { BackendChoice, ModelRef } from './protocol.js';

export const backendOrder = (b: BackendChoice): BrowserBackend[] => (b === 'auto' ? ['webgpu', 'wasm'] : [b]);

/** The gzipped wasm the site serves (scripts/build-site.mjs: the raw file is over the Workers' asset limit). */
export const WASM_GZ = 'ort-wasm-simd-threaded.jsep.wasm.gz';

let wasmBinary: Promise<ArrayBuffer> | undefined;

/** Fetch and inflate ORT's wasm once per worker; the runtime hands it to ORT before any session. */
function ensureWasm(wasmPaths: string): Promise<ArrayBuffer> {
  wasmBinary ??= (async () => {
    const res = await fetch(new URL(WASM_GZ, wasmPaths));
    if (!res.ok || !res.body) throw new Error(`${WASM_GZ}: HTTP ${res.status}`);
    return new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  })();
  wasmBinary.catch(() => (wasmBinary = undefined));
  return wasmBinary;
}

export async function loadModel(ref: ModelRef, backend: BackendChoice, wasmPaths: string, modelsBase: string): Promise<LoadedModel> {
  const wasmBinary = await ensureWasm(wasmPaths);
  const runtime = createBrowserRuntime({ wasmPaths, wasmBinary, backends: backendOrder(backend) });
  if ('id' in ref) {
    const store = new FetchModelStore((url) => fetch(url), modelsBase);
    return new LoadedModel(await store.manifest(ref.id), await store.modelBytes(ref.id), runtime);
  }
  return new LoadedModel(parseManifest(ref.manifest, 'your model'), ref.bytes, runtime);
}

export const modelKey = (ref: ModelRef, backend: BackendChoice): string => ('id' in ref ? `${ref.id}|${backend}` : `byom:${ref.manifest.id}:${ref.bytes.length}|${backend}`);
