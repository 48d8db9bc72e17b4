/**
 * The public sharding API, what the CLI (`xai explain --shards K`), the HTTP route (`POST /api/shards`) and
 * clients call:
 *
 *   planShards(method, req, k)            -> ShardPlan  (k ShardSpecs, plain JSON)
 *   runShard(shardSpec, { model, input }) -> ShardPartial (plain JSON; runs anywhere the model is)
 *   mergePartials(plan, partials, { model, input }) -> Explanation
 *   explainSharded(method, req, { shards, executors }) = plan + schedule + merge
 *   handleShardRequest(body, resolveModel)  -> { partial }  (the body of an HTTP shard endpoint)
 */
import type { ExplainRequest, Explanation } from '../explainer.js';
import { InvalidInputError } from '../errors.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { Tensor } from '../tensor.js';
import { decodeTensor, type EncodedTensor } from './codec.js';
import { mergeWith, parseShardSpec, planWith, runShardWith, type ShardRunContext } from './engine.js';
import { runShards, type ScheduleOptions } from './executors/schedule.js';
import type { ShardExecutor, ShardRunOptions } from './executors/types.js';
import { perturbationMethod } from './registry.js';
import type { ShardPartial, ShardPlan, ShardSpec } from './types.js';

/**
 * Split an explanation into `k` shards. `req.params` must be resolved (resolveParams) already. Evaluation
 * methods (deletion, insertion) take the map they score as `attribution` (h x w).
 * @example const plan = await planShards('rise', req, 4);
 */
export function planShards(method: string, req: ExplainRequest, k: number, attribution?: Float32Array): Promise<ShardPlan> {
  return planWith(perturbationMethod(method), req, k, attribution);
}

/**
 * Run one shard (validated as JSON first) on `ctx.model` and `ctx.input`; the input must have the digest the
 * shard names.
 * @example const partial = await runShard(plan.shards[2], { model, input });
 */
export function runShard(shard: ShardSpec | unknown, ctx: ShardRunContext): Promise<ShardPartial> {
  const spec = parseShardSpec(shard);
  return runShardWith(perturbationMethod(spec.method), spec, ctx);
}

/**
 * Merge the partials of every shard of `plan` (any order) into the explanation; a missing shard is an error.
 * @example const e = await mergePartials(plan, partials, { model, input });
 */
export function mergePartials(plan: ShardPlan, partials: readonly unknown[], ctx: { model: LoadedModel; input: Tensor }): Promise<Explanation> {
  return mergeWith(perturbationMethod(plan.method), plan, partials, ctx);
}

/** Runs shards in this process, one at a time (the default executor). */
export function inProcessExecutor(ctx: { model: LoadedModel; input: Tensor }, name = 'in-process'): ShardExecutor {
  return {
    name,
    concurrency: 1,
    run: (shard: ShardSpec, opts: ShardRunOptions = {}) => runShard(shard, { ...ctx, onProgress: opts.onProgress, signal: opts.signal }),
  };
}

export interface ShardedOptions extends ScheduleOptions {
  /** Number of shards (default 1). */
  shards?: number;
  /** Where shards run (default: one in-process executor). */
  executors?: readonly ShardExecutor[];
}

/**
 * Plan, run every shard on the executors (retrying failures elsewhere) and merge. `req.onProgress` gets the
 * samples done over all shards.
 * @example const e = await explainSharded('rise', req, { shards: 4, executors: [pool] });
 */
export async function explainSharded(method: string, req: ExplainRequest, opts: ShardedOptions = {}, attribution?: Float32Array): Promise<Explanation> {
  const plan = await planShards(method, req, opts.shards ?? 1, attribution);
  const executors = opts.executors ?? [inProcessExecutor({ model: req.model, input: req.input })];
  const done = new Map<number, number>();
  const partials = await runShards(plan.shards, executors, {
    ...opts,
    onEvent: (e) => {
      if (e.type === 'progress' && req.onProgress) {
        done.set(e.shard, e.done);
        let sum = 0;
        for (const v of done.values()) sum += v;
        req.onProgress(sum, plan.total);
      }
      if (e.type === 'retry') done.delete(e.shard);
      opts.onEvent?.(e);
    },
  });
  return mergePartials(plan, partials, { model: req.model, input: req.input });
}

/** Body of an HTTP shard request: the spec plus the input tensor (base64 float32). */
export interface ShardRequestBody {
  shard: ShardSpec;
  input: EncodedTensor;
}

/**
 * Serve one shard request (the handler of `POST /api/shards`): validate, find the model, run, return the
 * partial. `resolveModel` maps a model id to a LoadedModel (the server's registry).
 * @example app.post('/api/shards', async (c) => c.json(await handleShardRequest(await c.req.json(), (id) => registry.load(id))));
 */
export async function handleShardRequest(body: unknown, resolveModel: (id: string) => Promise<LoadedModel>, signal?: AbortSignal): Promise<{ partial: ShardPartial }> {
  if (typeof body !== 'object' || body === null || !('shard' in body) || !('input' in body)) {
    throw new InvalidInputError('shard request must be {shard: ShardSpec, input: {shape, f32}}', { param: 'body' });
  }
  const b = body as { shard: unknown; input: EncodedTensor };
  const shard = parseShardSpec(b.shard);
  const input = decodeTensor(b.input, 'input');
  const model = await resolveModel(shard.model);
  return { partial: await runShard(shard, { model, input, signal }) };
}
