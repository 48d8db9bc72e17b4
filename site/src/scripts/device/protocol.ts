// Messages between the page and the device workers (explain-worker.ts, shard-worker.ts). Everything is
// structured-clone friendly; typed arrays are transferred, not copied.
import type { ModelManifest } from '../../../../src/core/models/manifest.js';
import type { BackendInfo } from '../../../../src/core/runtime/types.js';
import type { ShardPartial, ShardSpec } from '../../../../src/core/perturbation/types.js';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

/** A served model (fetched from /models/<id>/) or one the user dropped in (bytes + manifest). */
export type ModelRef = { id: string } | { manifest: ModelManifest; bytes: Uint8Array };

export interface RunRequest {
  type: 'run';
  model: ModelRef;
  /** Encoded PNG/JPEG bytes. */
  image: Uint8Array;
  method: string;
  target?: number;
  layer?: string;
  params: Record<string, unknown>;
  seed?: number;
  batchSize?: number;
  backend: BackendChoice;
  /** Shardable methods: run this many shards in nested workers (1 = in this worker). */
  shards: number;
  /** Absolute URL prefix of onnxruntime-web's wasm files. */
  wasmPaths: string;
  /** Absolute URL of the models folder. */
  modelsBase: string;
}

export interface DeviceResult {
  method: string;
  model: string;
  target: number;
  targetLabel: string;
  prediction: { index: number; label: string; probability: number; score: number }[];
  params: Record<string, unknown>;
  seed: number;
  shards: number;
  signed: boolean;
  map: { width: number; height: number; data: Float32Array };
  passes: number;
  extras?: Record<string, unknown>;
  backend: BackendInfo;
  timings: { loadMs: number; predictMs: number; explainMs: number };
}

export type WorkerMessage =
  | { type: 'status'; text: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; result: DeviceResult }
  | { type: 'error'; message: string };

export interface ShardInit {
  type: 'init';
  model: ModelRef;
  input: { shape: number[]; data: Float32Array };
  backend: BackendChoice;
  wasmPaths: string;
  modelsBase: string;
}
export interface ShardRun {
  type: 'shard';
  id: number;
  shard: ShardSpec;
}
export type ShardReply =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'partial'; id: number; partial: ShardPartial }
  | { type: 'error'; id: number; message: string };
