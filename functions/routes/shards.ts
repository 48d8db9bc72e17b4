/**
 * POST /api/plan: validate an explanation request like /api/explain and split it into signed shard specs,
 * returning the plan, one token per shard and the preprocessed input, so a client can fan out itself
 * (post each shard to /api/shards in parallel, merge locally).
 * POST /api/shards: run one signed shard spec on its input and return the partial result; unsigned,
 * expired or altered specs get 403.
 */
import { Hono } from 'hono';
import { z } from '@hono/zod-openapi';
import { InvalidInputError, XaiError } from '../../src/core/errors.js';
import { resolveParams } from '../../src/core/params.js';
import { encodeTensor } from '../../src/core/perturbation/codec.js';
import { handleShardRequest, planShards } from '../../src/core/perturbation/shards.js';
import { predict } from '../../src/core/predict.js';
import { SHARD_AUTH_HEADER, signShard, verifyShard } from '../../src/core/shard-auth.js';
import { getExplainer } from '../../src/explainers/index.js';
import type { AppEnv, Env } from '../env.js';
import { checkBudget } from '../lib/budget.js';
import { requireSecret } from '../lib/fan-out.js';
import type { ModelCache } from '../lib/models.js';
import { readRequestInput } from '../lib/request-input.js';
import { inputTensor } from '../lib/run-input.js';

const shardBodySchema = z.object({ shard: z.record(z.string(), z.unknown()), input: z.object({ shape: z.array(z.number()), f32: z.string() }) });

export function shardRoutes(models: (env: Env) => ModelCache) {
  return new Hono<AppEnv>()
    .post('/plan', async (c) => {
      const secret = requireSecret(c.env);
      const input = await readRequestInput(c.req.raw, { requireMethod: true });
      const f = input.fields;
      const spec = getExplainer(f.method!);
      if (!spec.shardable) throw new InvalidInputError(`method "${spec.name}" is not shardable`, { param: 'method' });
      const model = await models(c.env).get(f.model);
      const { tensor } = inputTensor(model, input);
      const params = resolveParams(spec.params, f.params ?? {}, spec.name);
      const target = f.target === undefined ? (await predict(model, tensor, 1))[0].top[0].index : model.checkTarget(f.target);
      const req = { model, input: tensor, target, layer: f.layer, params, seed: f.seed ?? 0, batchSize: f.batchSize ?? 16 };
      await checkBudget(spec.name, req);
      const plan = await planShards(spec.name, req, f.shards ?? 2);
      const tokens = await Promise.all(plan.shards.map((s) => signShard(secret, s)));
      return c.json({ plan, tokens, input: encodeTensor(tensor), target, params, endpoint: '/api/shards', header: SHARD_AUTH_HEADER });
    })
    .post('/shards', async (c) => {
      const secret = requireSecret(c.env);
      const type = c.req.header('content-type') ?? '';
      if (!type.toLowerCase().startsWith('application/json')) throw new XaiError('unsupported', 'unsupported_media_type', `content-type "${type}" is not supported; send application/json`, { param: 'content-type' });
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new InvalidInputError('request body is not valid JSON', { code: 'bad_json' });
      }
      const parsed = shardBodySchema.safeParse(body);
      if (!parsed.success) throw new InvalidInputError('shard request must be {"shard": ShardSpec, "input": {"shape", "f32"}}', { param: 'body' });
      const why = await verifyShard(secret, parsed.data.shard, c.req.header(SHARD_AUTH_HEADER));
      if (why) return c.json({ error: { code: 'forbidden', message: why } }, 403);
      return c.json(await handleShardRequest(parsed.data, (id) => models(c.env).get(id), c.req.raw.signal));
    });
}
