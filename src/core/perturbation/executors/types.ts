/**
 * What runs shards: an executor takes a ShardSpec and returns its ShardPartial. In-process, a Node
 * worker-thread pool and remote HTTP endpoints all implement this; the scheduler (schedule.ts) spreads a
 * plan's shards over them and retries failures elsewhere.
 */
import type { ShardPartial, ShardSpec } from '../types.js';

export interface ShardRunOptions {
  /** Samples done within the shard, of (end - start). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ShardExecutor {
  /** Names this executor in events and errors (e.g. "in-process", "worker#1", "https://a.example/api/shards"). */
  readonly name: string;
  /** How many shards it runs at once. */
  readonly concurrency: number;
  run(shard: ShardSpec, opts?: ShardRunOptions): Promise<ShardPartial>;
  /** Release threads / connections. */
  close?(): Promise<void>;
}

/** Progress and failure events, one stream per sharded run. */
export type ShardEvent =
  | { type: 'start'; shard: number; executor: string; attempt: number }
  | { type: 'progress'; shard: number; executor: string; done: number; total: number }
  | { type: 'done'; shard: number; executor: string; attempt: number; elapsedMs: number }
  | { type: 'retry'; shard: number; executor: string; attempt: number; error: string };
