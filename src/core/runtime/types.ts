/**
 * The runtime interface: create an inference session from ONNX bytes, run it, dispose it, and say which
 * backend actually runs it. One adapter per platform implements it (node.ts, workerd.ts, browser.ts); the
 * rest of the toolkit only sees these types.
 */
import type { Tensor } from '../tensor.js';

/** Execution backends across platforms: native onnxruntime-node, onnxruntime-web's WASM-SIMD, or WebGPU. */
export type BackendName = 'native' | 'wasm' | 'webgpu';
export type PlatformName = 'node' | 'workerd' | 'browser';

/** What actually runs a session, reported with every result. */
export interface BackendInfo {
  platform: PlatformName;
  backend: BackendName;
  /** npm package and version of the runtime, e.g. "onnxruntime-node@1.30.0". */
  runtime: string;
  threads: number;
  /** When the preferred backend failed: why, per backend tried, e.g. "[webgpu] no adapter". */
  fallback?: string;
}

/** Input or output as the model declares it; dims are numbers, symbolic names (dynamic) or -1/undefined. */
export interface ValueInfo {
  name: string;
  type: string;
  dims: readonly (number | string)[] | undefined;
}

export interface Session {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly backend: BackendInfo;
  /**
   * Run the model. Every input is float32. `outputs` selects outputs by name (all by default).
   * Fails with InvalidInputError when a batch > 1 is fed to a model with a fixed batch of 1.
   */
  run(feeds: Record<string, Tensor>, outputs?: readonly string[]): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}

export interface SessionOptions {
  /** Ask for these outputs to be kept (e.g. inner tensors exposed as graph outputs). Reserved. */
  label?: string;
}

export interface Runtime {
  readonly platform: PlatformName;
  /** The backend this runtime will use for new sessions (may change after a fallback). */
  describe(): BackendInfo;
  createSession(model: Uint8Array, options?: SessionOptions): Promise<Session>;
}
