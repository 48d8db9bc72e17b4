/**
 * GET /api/openapi.json: the OpenAPI 3.1 document, generated from the same zod schemas the routes validate
 * request bodies with (functions/lib/request-input.ts) plus the response shapes below.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { explainFieldsSchema } from './lib/request-input.js';

const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), param: z.string().optional() }) })
  .openapi('Error');

const classScore = z.object({ index: z.number().int(), label: z.string(), probability: z.number(), score: z.number() }).openapi('ClassScore');
const backend = z
  .object({ platform: z.enum(['node', 'workerd', 'browser']), backend: z.enum(['native', 'wasm', 'webgpu']), runtime: z.string(), threads: z.number().int(), fallback: z.string().optional() })
  .openapi('Backend');

const paramSpec = z
  .object({
    name: z.string(),
    type: z.enum(['number', 'integer', 'boolean', 'enum', 'string']),
    description: z.string(),
    default: z.union([z.number(), z.boolean(), z.string()]).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.string()).optional(),
  })
  .openapi('ParamSpec');

const explainRequest = explainFieldsSchema.openapi('ExplainRequest', {
  description: 'Give exactly one input: `image` (base64 PNG/JPEG) or `tensor` (base64 little-endian float32) with `shape`.',
});

const explainResponse = z
  .object({
    method: z.string(),
    model: z.string(),
    target: z.number().int(),
    targetLabel: z.string(),
    prediction: z.array(classScore),
    params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
    seed: z.number().int(),
    batchSize: z.number().int(),
    layer: z.string().optional(),
    shape: z.array(z.number().int()),
    signed: z.boolean(),
    map: z.object({ width: z.number().int(), height: z.number().int(), data: z.array(z.number()) }),
    extras: z.record(z.string(), z.unknown()).optional(),
    passes: z.number().int(),
    backend,
    timings: z.object({ predictMs: z.number(), explainMs: z.number() }),
    png: z.string().optional().openapi({ description: 'base64 PNG, with format "both"' }),
  })
  .openapi('ExplainResponse');

const errors = {
  400: { description: 'invalid input or parameter', content: { 'application/json': { schema: errorSchema } } },
  404: { description: 'unknown model or method', content: { 'application/json': { schema: errorSchema } } },
  413: { description: 'over a documented limit', content: { 'application/json': { schema: errorSchema } } },
  415: { description: 'unsupported content type or image format', content: { 'application/json': { schema: errorSchema } } },
};

const body = (schema: z.ZodType) => ({
  content: {
    'application/json': { schema },
    'multipart/form-data': { schema: z.object({ image: z.string().openapi({ format: 'binary' }), model: z.string(), method: z.string().optional(), params: z.string().optional().openapi({ description: 'JSON object' }) }) },
  },
});

export function openApiDocument(serverUrl?: string) {
  const docs = new OpenAPIHono();
  const r = docs.openAPIRegistry;
  r.registerPath({ method: 'get', path: '/api/health', summary: 'Liveness and the runtime backend', responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), service: z.string(), backend }) } } } } });
  r.registerPath({ method: 'get', path: '/api/models', summary: 'Manifests of the served models', responses: { 200: { description: 'models', content: { 'application/json': { schema: z.object({ models: z.array(z.record(z.string(), z.unknown())) }) } } } } });
  r.registerPath({
    method: 'get',
    path: '/api/methods',
    summary: 'Explanation methods with parameter schemas, and the request limits',
    responses: {
      200: {
        description: 'methods',
        content: {
          'application/json': {
            schema: z.object({
              common: z.array(paramSpec),
              methods: z.array(z.object({ name: z.string(), title: z.string(), family: z.string(), needsGradients: z.boolean(), shardable: z.boolean(), paper: z.string(), description: z.string(), params: z.array(paramSpec) })),
              limits: z.record(z.string(), z.number()),
            }),
          },
        },
      },
    },
  });
  r.registerPath({ method: 'post', path: '/api/predict', summary: 'Top-k classes of an image', request: { body: body(explainRequest) }, responses: { 200: { description: 'prediction', content: { 'application/json': { schema: z.object({ model: z.string(), top: z.array(classScore), backend, timings: z.object({ totalMs: z.number() }) }) } } }, ...errors } });
  r.registerPath({
    method: 'post',
    path: '/api/explain',
    summary: 'Explain a prediction',
    description: 'Response format per the `format` field: `json` (default), `png` (image/png overlay or heatmap), or `both` (JSON with a base64 `png`). Identical requests are answered from cache (`x-cache: hit`).',
    request: { body: body(explainRequest) },
    responses: { 200: { description: 'explanation', content: { 'application/json': { schema: explainResponse }, 'image/png': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errors },
  });
  const shardSpec = z.record(z.string(), z.unknown()).openapi('ShardSpec', { description: 'plain JSON shard spec: method, model, input digest, params, seed, sample range' });
  const encodedTensor = z.object({ shape: z.array(z.number().int()), f32: z.string().openapi({ description: 'base64 little-endian float32' }) }).openapi('EncodedTensor');
  r.registerPath({
    method: 'post',
    path: '/api/plan',
    summary: 'Split a shardable explanation into signed shard specs (for clients that fan out themselves)',
    request: { body: body(explainRequest) },
    responses: {
      200: { description: 'plan', content: { 'application/json': { schema: z.object({ plan: z.object({ planId: z.string(), method: z.string(), total: z.number().int(), passes: z.number().int(), shards: z.array(shardSpec) }), tokens: z.array(z.string()), input: encodedTensor, target: z.number().int(), endpoint: z.string(), header: z.string() }) } } },
      ...errors,
      503: { description: 'shards not configured (no SHARD_SECRET)', content: { 'application/json': { schema: errorSchema } } },
    },
  });
  r.registerPath({
    method: 'post',
    path: '/api/shards',
    summary: 'Run one signed shard spec and return its partial result',
    description: 'The spec must carry a valid signature from /api/plan or a coordinator in the `x-xai-shard-auth` header.',
    request: { body: { content: { 'application/json': { schema: z.object({ shard: shardSpec, input: encodedTensor }) } } } },
    responses: {
      200: { description: 'partial result (sufficient statistics, base64 float64)', content: { 'application/json': { schema: z.object({ partial: z.record(z.string(), z.unknown()) }) } } },
      400: errors[400],
      403: { description: 'unsigned, altered or expired spec', content: { 'application/json': { schema: errorSchema } } },
      503: { description: 'shards not configured (no SHARD_SECRET)', content: { 'application/json': { schema: errorSchema } } },
    },
  });
  return docs.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'xai-edge API', version: '0.1.0', description: 'Explanations of ONNX image classifiers at the edge.' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
