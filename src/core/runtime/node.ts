/**
 * Node runtime adapter. Default backend: onnxruntime-node (native CPU, ~5x faster than wasm here). Fallback and
 * selectable backend: onnxruntime-web's node build (the same WASM-SIMD kernels the edge and the browser run),
 * so the wasm path is exercised in Node too. Both are imported lazily: choosing one never loads the other.
 */
import { availableParallelism } from 'node:os';
import { InvalidInputError, RuntimeFailure } from '../errors.js';
import { OrtSessionAdapter, type OrtTensorCtor } from './ort-session.js';
import type { BackendInfo, BackendName, Runtime, Session } from './types.js';

/** Backends a Node runtime accepts; 'auto' = native, falling back to wasm when the native addon fails. */
export const NODE_BACKENDS = ['auto', 'native', 'wasm'] as const;
export type NodeBackendChoice = (typeof NODE_BACKENDS)[number];

export interface NodeRuntimeOptions {
  backend?: NodeBackendChoice;
  /** Intra-op threads; default all cores. */
  threads?: number;
  /**
   * Let onnxruntime-node's intra-op threads spin while waiting for work (default false). Spinning lowers
   * latency on an idle machine, but on shared or oversubscribed CPUs it halves small-model throughput.
   */
  spin?: boolean;
}

const ORT_VERSION = '1.30.0';

interface Loaded {
  backend: Exclude<BackendName, 'webgpu'>;
  create(bytes: Uint8Array): Promise<Session>;
}

async function loadNative(threads: number, spin: boolean): Promise<Loaded> {
  const ort = await import('onnxruntime-node');
  const info: BackendInfo = { platform: 'node', backend: 'native', runtime: `onnxruntime-node@${ort.env.versions?.node ?? ORT_VERSION}`, threads };
  return {
    backend: 'native',
    async create(bytes) {
      const s = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } },
      });
      return new OrtSessionAdapter(s, ort.Tensor as unknown as OrtTensorCtor, info);
    },
  };
}

let wasmThreadsSet: number | undefined;

async function loadWasm(threads: number, fallback?: string): Promise<Loaded> {
  const ort = await import('onnxruntime-web');
  // ORT's wasm env is process-global and fixed once the first wasm session exists.
  if (wasmThreadsSet === undefined) {
    ort.env.wasm.numThreads = threads;
    wasmThreadsSet = threads;
  }
  const info: BackendInfo = { platform: 'node', backend: 'wasm', runtime: `onnxruntime-web@${ort.env.versions?.web ?? ORT_VERSION}`, threads: wasmThreadsSet };
  if (fallback) info.fallback = fallback;
  return {
    backend: 'wasm',
    async create(bytes) {
      const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      return new OrtSessionAdapter(s, ort.Tensor as unknown as OrtTensorCtor, info);
    },
  };
}

/** Create the Node runtime. Errors name the option and the allowed values. */
export function createNodeRuntime(options: NodeRuntimeOptions = {}): Runtime {
  const choice = options.backend ?? 'auto';
  if (!(NODE_BACKENDS as readonly string[]).includes(choice)) {
    throw new InvalidInputError(`backend "${choice}" is not available in Node; allowed: ${NODE_BACKENDS.join(', ')}`, { param: 'backend' });
  }
  const cores = availableParallelism();
  const threads = options.threads ?? cores;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new InvalidInputError(`threads must be an integer from 1 to 256, got ${threads}`, { param: 'threads' });
  }
  let loaded: Promise<Loaded> | undefined;
  let current: BackendInfo = {
    platform: 'node',
    backend: choice === 'wasm' ? 'wasm' : 'native',
    runtime: choice === 'wasm' ? `onnxruntime-web@${ORT_VERSION}` : `onnxruntime-node@${ORT_VERSION}`,
    threads,
  };

  const load = (): Promise<Loaded> => {
    loaded ??= (async () => {
      if (choice === 'wasm') return loadWasm(threads);
      try {
        return await loadNative(threads, options.spin ?? false);
      } catch (err) {
        if (choice === 'native') throw new RuntimeFailure(`[native] onnxruntime-node failed to load: ${(err as Error).message}`, { cause: err });
        return loadWasm(threads, `[native] ${(err as Error).message}`);
      }
    })();
    return loaded;
  };

  return {
    platform: 'node',
    describe: () => current,
    async createSession(bytes) {
      const l = await load();
      try {
        const session = await l.create(bytes);
        current = session.backend;
        return session;
      } catch (err) {
        throw new InvalidInputError(`could not load the ONNX model (${l.backend}): ${(err as Error).message}`, { param: 'model', code: 'bad_model', cause: err });
      }
    },
  };
}
