/**
 * Where the coordinator runs the shards of a shardable method: the configured shard endpoints (separate
 * invocations: other Workers, other regions, or the local cluster), a service binding, or in process.
 * Note: sub-requests inside one workerd process share its one thread (see README), so fan-out speeds up only
 * across separate processes or invocations.
 */
import { XaiError } from '../../src/core/errors.js';
import { httpExecutors } from '../../src/core/perturbation/executors/http.js';
import type { ShardExecutor } from '../../src/core/perturbation/executors/types.js';
import { shardAuthHeaders } from '../../src/core/shard-auth.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { Env } from '../env.js';

export function requireSecret(env: Env): string {
  const s = env.SHARD_SECRET;
  if (!s || s.length < 16) throw new XaiError('unavailable', 'shards_not_configured', 'shard execution is not configured on this server (no SHARD_SECRET)');
  return s;
}

/**
 * Shards in flight through a service binding, and the default shard count there. Each call is its own
 * invocation (its own CPU-time limit on Cloudflare) but, by default, on the caller's thread: the point of this
 * fan-out is to split a request's CPU budget, not to add cores.
 */
export const SERVICE_SHARDS = 4;

export interface FanOut {
  readonly executors: ShardExecutor[];
  /** Shards when the request names none: one per endpoint, or SERVICE_SHARDS through the binding. */
  readonly defaultShards: number;
  /** For the x-xai-fan-out response header. */
  readonly where: string;
}

/** Executors for a request's shards, or undefined for in-process execution. */
export function shardExecutorsFor(env: Env, input: Tensor): FanOut | undefined {
  const endpoints = (env.SHARD_ENDPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (endpoints.length) {
    const secret = requireSecret(env);
    return { executors: httpExecutors({ endpoints, input, sign: (shard) => shardAuthHeaders(secret, shard) }), defaultShards: endpoints.length, where: `endpoints ${endpoints.join(' ')}` };
  }
  if (env.SHARD_SERVICE) {
    const secret = requireSecret(env);
    const service = env.SHARD_SERVICE;
    return {
      executors: httpExecutors({ endpoints: ['https://shard-service/api/shards'], input, concurrency: SERVICE_SHARDS, sign: (shard) => shardAuthHeaders(secret, shard), fetch: (url, init) => service.fetch(url as string, init) }),
      defaultShards: SERVICE_SHARDS,
      where: 'service binding SHARD_SERVICE',
    };
  }
  return undefined;
}
