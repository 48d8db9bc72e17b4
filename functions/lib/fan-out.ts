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

/** Executors for a request's shards, or undefined for in-process execution. */
export function shardExecutorsFor(env: Env, input: Tensor): { executors: ShardExecutor[]; where: string } | undefined {
  const endpoints = (env.SHARD_ENDPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (endpoints.length) {
    const secret = requireSecret(env);
    return { executors: httpExecutors({ endpoints, input, sign: (shard) => shardAuthHeaders(secret, shard) }), where: `endpoints: ${endpoints.join(', ')}` };
  }
  if (env.SHARD_SERVICE) {
    const secret = requireSecret(env);
    const service = env.SHARD_SERVICE;
    return {
      executors: httpExecutors({ endpoints: ['https://shard-service/api/shards'], input, sign: (shard) => shardAuthHeaders(secret, shard), fetch: (url, init) => service.fetch(url as string, init) }),
      where: 'service binding SHARD_SERVICE',
    };
  }
  return undefined;
}
