/**
 * POST /api/explain: image or tensor + model + method (+ target, layer, params, seed, batchSize) ->
 * the attribution as JSON, as a PNG (overlay or heatmap), or both. Identical requests are answered from the
 * Cache API (keyed by a digest of model, input, method and every parameter).
 */
import { Hono } from 'hono';
import { bytesToBase64 } from '../../src/core/base64.js';
import { explain, type ExplainResult } from '../../src/core/explain.js';
import { tensorToImage, type RasterImage } from '../../src/core/image/index.js';
import { explanationPng, type RenderMode } from '../../src/core/render.js';
import type { AppEnv, Env } from '../env.js';
import { canonicalJson, sha256Hex } from '../lib/digest.js';
import type { ModelCache } from '../lib/models.js';
import { readRequestInput, type RequestInput } from '../lib/request-input.js';
import { inputTensor } from '../lib/run-input.js';
import { checkBudget } from '../lib/budget.js';
import { shardExecutorsFor } from '../lib/fan-out.js';
import { getExplainer } from '../../src/explainers/index.js';

function explanationJson(r: ExplainResult) {
  const e = r.explanation;
  return {
    method: r.method,
    model: r.model,
    target: r.target,
    targetLabel: r.targetLabel,
    prediction: r.prediction.top,
    params: r.params,
    seed: r.seed,
    batchSize: r.batchSize,
    shards: r.shards,
    ...(r.layer ? { layer: r.layer } : {}),
    shape: e.attribution.shape,
    signed: e.signed,
    map: { width: e.width, height: e.height, data: Array.from(e.map) },
    ...(e.extras ? { extras: e.extras } : {}),
    passes: e.passes,
    backend: r.backend,
    timings: r.timings,
  };
}

function png(r: ExplainResult, base: RasterImage | undefined, tensorBase: () => RasterImage, render: RenderMode): Uint8Array {
  return explanationPng(base ?? tensorBase(), r.explanation, { render });
}

async function cacheKey(url: string, input: RequestInput): Promise<Request> {
  const { fields } = input;
  const digest = await sha256Hex([
    canonicalJson({ ...fields, image: undefined, tensor: undefined }),
    input.imageBytes ?? new Uint8Array(input.tensor!.data.buffer, input.tensor!.data.byteOffset, input.tensor!.data.byteLength),
  ]);
  return new Request(new URL(`/api/explain/cache/${digest}`, url).toString());
}

export function explainRoutes(models: (env: Env) => ModelCache) {
  return new Hono<AppEnv>().post('/explain', async (c) => {
    const input = await readRequestInput(c.req.raw, { requireMethod: true });
    const cache = typeof caches !== 'undefined' ? (caches as unknown as { default?: Cache }).default : undefined;
    const key = cache ? await cacheKey(c.req.url, input) : undefined;
    if (cache && key) {
      const hit = await cache.match(key);
      if (hit) {
        const res = new Response(hit.body, hit);
        res.headers.set('x-cache', 'hit');
        return res;
      }
    }
    const f = input.fields;
    const model = await models(c.env).get(f.model);
    const { tensor, image } = inputTensor(model, input);
    const spec = getExplainer(f.method!);
    const fanOut = spec.shardable ? shardExecutorsFor(c.env, tensor) : undefined;
    const result = await explain(model, tensor, {
      method: f.method!,
      target: f.target,
      layer: f.layer,
      params: f.params,
      seed: f.seed,
      batchSize: f.batchSize,
      shards: f.shards ?? fanOut?.defaultShards ?? 1,
      executors: fanOut?.executors,
      beforeRun: (req) => checkBudget(spec.name, req).then(() => undefined),
    });
    const format = f.format ?? 'json';
    const render = f.render ?? 'overlay';
    let res: Response;
    if (format === 'png') {
      res = new Response(png(result, image, () => tensorToImage(tensor, model.manifest.preprocessing), render), { headers: { 'content-type': 'image/png' } });
    } else {
      const body: Record<string, unknown> = explanationJson(result);
      if (format === 'both') body.png = bytesToBase64(png(result, image, () => tensorToImage(tensor, model.manifest.preprocessing), render));
      res = c.json(body);
    }
    res.headers.set('x-cache', 'miss');
    if (fanOut) res.headers.set('x-xai-fan-out', `${result.shards} shards via ${fanOut.where}`);
    if (cache && key) {
      const stored = res.clone();
      stored.headers.set('cache-control', 'public, max-age=86400');
      const put = cache.put(key, stored);
      try {
        c.executionCtx.waitUntil(put);
      } catch {
        await put; // no execution context (app.request in tests): store before answering
      }
    }
    return res;
  });
}
