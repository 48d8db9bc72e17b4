/**
 * Browser runtime adapter: tries execution providers in order (WebGPU, then WASM) and reports the one that
 * worked, or one error listing what failed for each ("[webgpu] no adapter; [wasm] ..."). The page decides
 * where ORT's wasm files are served from (`wasmPaths`); nothing is fetched from a CDN.
 */
import * as ort from 'onnxruntime-web';
import { InvalidInputError, RuntimeFailure } from '../errors.js';
import { OrtSessionAdapter, type OrtTensorCtor } from './ort-session.js';
import type { BackendInfo, BackendName, Runtime } from './types.js';

/** Our device names and the ORT execution provider each maps to. */
export const BROWSER_BACKENDS = { webgpu: 'webgpu', wasm: 'wasm' } as const satisfies Partial<Record<BackendName, string>>;
export type BrowserBackend = keyof typeof BROWSER_BACKENDS;

export interface BrowserRuntimeOptions {
  /** Backends to try, in order. Default: webgpu, then wasm. */
  backends?: BrowserBackend[];
  /** URL prefix where ort-wasm-simd-threaded*.{mjs,wasm} are served. */
  wasmPaths: string;
  /** WASM threads (needs cross-origin isolation for > 1). Default 1. */
  threads?: number;
  /** The wasm binary itself, when the page obtains it (e.g. inflated from a gzipped asset); else fetched from wasmPaths. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export function createBrowserRuntime(options: BrowserRuntimeOptions): Runtime {
  const order = options.backends ?? (['webgpu', 'wasm'] as BrowserBackend[]);
  for (const b of order) {
    if (!(b in BROWSER_BACKENDS)) throw new InvalidInputError(`backend "${b}" is not available in the browser; allowed: ${Object.keys(BROWSER_BACKENDS).join(', ')}`, { param: 'backend' });
  }
  ort.env.wasm.wasmPaths = options.wasmPaths;
  ort.env.wasm.numThreads = options.threads ?? 1;
  if (options.wasmBinary) ort.env.wasm.wasmBinary = options.wasmBinary;
  const version = `onnxruntime-web@${ort.env.versions?.web ?? '1.30.0'}`;
  let current: BackendInfo = { platform: 'browser', backend: order[0], runtime: version, threads: options.threads ?? 1 };
  // After a backend failed once, later sessions start from the one that worked.
  let working: BrowserBackend | undefined;
  const failures: string[] = [];

  return {
    platform: 'browser',
    describe: () => current,
    async createSession(bytes) {
      const tryOrder = working ? [working] : order;
      const errors: string[] = [];
      for (const b of tryOrder) {
        try {
          if (b === 'webgpu' && !(globalThis.navigator && 'gpu' in globalThis.navigator)) throw new Error('navigator.gpu is not available');
          const s = await ort.InferenceSession.create(bytes, { executionProviders: [BROWSER_BACKENDS[b]], graphOptimizationLevel: 'all' });
          working = b;
          failures.push(...errors);
          current = { platform: 'browser', backend: b, runtime: version, threads: b === 'wasm' ? (options.threads ?? 1) : 1, ...(failures.length ? { fallback: failures.join('; ') } : {}) };
          return new OrtSessionAdapter(s, ort.Tensor as unknown as OrtTensorCtor, current);
        } catch (err) {
          errors.push(`[${b}] ${(err as Error).message ?? err}`);
        }
      }
      throw new RuntimeFailure(`no backend could run the model: ${errors.join('; ')}`);
    },
  };
}
