/**
 * POST /api/predict: `{ "model": "<id>", "image": "<base64 PNG or JPEG>", "top"?: k }` -> top-k classes.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { base64ToBytes } from '../../src/core/base64.js';
import { InvalidInputError, LimitExceededError, UnsupportedError } from '../../src/core/errors.js';
import { decodeImage, imageToTensor, MAX_ENCODED_BYTES } from '../../src/core/image/index.js';
import { predict } from '../../src/core/predict.js';
import type { AppEnv } from '../env.js';
import type { ModelCache } from '../lib/models.js';

const bodySchema = z.object({
  model: z.string().min(1).max(64),
  image: z.string().min(1),
  top: z.number().int().min(1).max(1000).optional(),
});

/** Read and validate a JSON body; errors name the field. */
export async function readJson<T>(req: Request, schema: z.ZodType<T>): Promise<T> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new UnsupportedError(`content-type "${type || '(none)'}" is not supported; send application/json`, { code: 'unsupported_media_type', param: 'content-type' });
  }
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new InvalidInputError('request body is not valid JSON', { code: 'bad_json' });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.join('.') || '(body)';
    throw new InvalidInputError(`field "${path}": ${issue.message}`, { param: path });
  }
  return r.data;
}

export function predictRoutes(models: (env: AppEnv['Bindings']) => ModelCache) {
  return new Hono<AppEnv>().post('/predict', async (c) => {
    const body = await readJson(c.req.raw, bodySchema);
    // base64 inflates by 4/3: reject before decoding anything.
    if (body.image.length > Math.ceil((MAX_ENCODED_BYTES * 4) / 3) + 128) {
      throw new LimitExceededError(`image is larger than the limit of ${MAX_ENCODED_BYTES} bytes`, { param: 'image', code: 'image_too_large' });
    }
    const model = await models(c.env).get(body.model);
    const t0 = performance.now();
    const image = decodeImage(base64ToBytes(body.image));
    const tensor = imageToTensor(image, model.manifest.preprocessing);
    const [p] = await predict(model, tensor, body.top ?? 5);
    const session = await model.session();
    return c.json({ model: model.id, top: p.top, backend: session.backend, timings: { totalMs: performance.now() - t0 } });
  });
}
