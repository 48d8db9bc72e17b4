/** The Node runtimes the gradient tests run on: native onnxruntime-node and onnxruntime-web's WASM build. */
import { createNodeRuntime } from '../../../src/core/runtime/node.js';
import type { Runtime } from '../../../src/core/runtime/types.js';

export const BACKENDS = ['native', 'wasm'] as const;
const cache = new Map<string, Runtime>();

export function runtimeFor(backend: (typeof BACKENDS)[number]): Runtime {
  let r = cache.get(backend);
  if (!r) {
    r = createNodeRuntime({ backend, threads: backend === 'wasm' ? 1 : 2 });
    cache.set(backend, r);
  }
  return r;
}

/** One-hot rows [n, k]. */
export function oneHot(targets: readonly number[], k: number): Float32Array {
  const m = new Float32Array(targets.length * k);
  targets.forEach((t, i) => (m[i * k + t] = 1));
  return m;
}
