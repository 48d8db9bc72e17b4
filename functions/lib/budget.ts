/**
 * The per-request budget of forward passes: a request whose method would run more single-image passes than
 * MAX_PASSES_PER_REQUEST is refused (413) before any work starts. Counts come from the method's own sample
 * parameters (samples, steps, masks), or, for occlusion, from its exact shard plan.
 */
import { LimitExceededError } from '../../src/core/errors.js';
import type { ExplainRequest } from '../../src/core/explainer.js';
import { planShards } from '../../src/core/perturbation/shards.js';

export const MAX_PASSES_PER_REQUEST = 20_000;

export async function estimatePasses(method: string, req: ExplainRequest): Promise<number> {
  if (method === 'occlusion') return (await planShards(method, req, 1)).passes;
  const p = req.params;
  for (const k of ['samples', 'steps', 'masks'] as const) if (typeof p[k] === 'number') return p[k] as number;
  return 1;
}

export async function checkBudget(method: string, req: ExplainRequest): Promise<number> {
  const passes = await estimatePasses(method, req);
  if (passes > MAX_PASSES_PER_REQUEST) {
    throw new LimitExceededError(`${method} with these parameters runs ${passes} forward passes; the limit per request is ${MAX_PASSES_PER_REQUEST}`, { param: 'params', code: 'budget_exceeded' });
  }
  return passes;
}
