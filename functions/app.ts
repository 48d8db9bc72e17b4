/**
 * The Hono app of the edge API. Platform-neutral: the runtime is injected, so the same app runs in workerd
 * (functions/index.ts) and can be exercised with `app.request()` in tests.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import type { Runtime } from '../src/core/runtime/types.js';
import type { AppEnv, Env } from './env.js';
import { errorResponse } from './lib/errors.js';
import { assetStore, ModelCache } from './lib/models.js';
import { healthRoutes } from './routes/health.js';
import { predictRoutes } from './routes/predict.js';
import { explainRoutes } from './routes/explain.js';
import { catalogRoutes } from './routes/catalog.js';
import { openApiDocument } from './openapi.js';
import { shardRoutes } from './routes/shards.js';

export function createApp(getRuntime: () => Runtime) {
  let cache: ModelCache | undefined;
  const models = (env: Env): ModelCache => (cache ??= new ModelCache(assetStore(env), getRuntime()));
  const app = new Hono<AppEnv>();
  app.use('/api/*', requestId());
  // One log line per API request, with its id (the same id is in the x-request-id response header).
  app.use('/api/*', async (c, next) => {
    const t0 = Date.now();
    await next();
    console.log(`[${c.get('requestId')}] ${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status} ${Date.now() - t0}ms`);
  });
  app.use('/api/*', async (c, next) => {
    const origins = (c.env?.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return cors({ origin: origins.includes('*') ? '*' : origins, allowMethods: ['GET', 'POST', 'OPTIONS'], exposeHeaders: ['x-request-id', 'x-cache'], maxAge: 86400 })(c, next);
  });
  app.route('/api', healthRoutes(getRuntime));
  app.route('/api', catalogRoutes(models));
  app.route('/api', predictRoutes(models));
  app.route('/api', explainRoutes(models));
  app.route('/api', shardRoutes(models));
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(new URL(c.req.url).origin)));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));
  app.onError((err, c) => errorResponse(err, c));
  return app;
}
