/**
 * POST /api/predict: an image (base64 JSON field or multipart file) or a tensor, and a model id -> top-k.
 */
import { Hono } from 'hono';
import { predict } from '../../src/core/predict.js';
import type { AppEnv, Env } from '../env.js';
import type { ModelCache } from '../lib/models.js';
import { readRequestInput } from '../lib/request-input.js';
import { inputTensor } from '../lib/run-input.js';

export function predictRoutes(models: (env: Env) => ModelCache) {
  return new Hono<AppEnv>().post('/predict', async (c) => {
    const input = await readRequestInput(c.req.raw, { requireMethod: false });
    const model = await models(c.env).get(input.fields.model);
    const t0 = performance.now();
    const { tensor } = inputTensor(model, input);
    const [p] = await predict(model, tensor, input.fields.top ?? 5);
    const session = await model.session();
    return c.json({ model: model.id, top: p.top, backend: session.backend, timings: { totalMs: performance.now() - t0 } });
  });
}
