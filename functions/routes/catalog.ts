/**
 * GET /api/models (manifests of the served models) and GET /api/methods (methods, parameter schemas with
 * defaults and bounds, and the request limits), the same table `xai methods --json` prints.
 */
import { Hono } from 'hono';
import { describeMethods } from '../../src/explainers/describe.js';
import type { AppEnv, Env } from '../env.js';
import { API_LIMITS } from '../lib/limits.js';
import type { ModelCache } from '../lib/models.js';

export function catalogRoutes(models: (env: Env) => ModelCache) {
  return new Hono<AppEnv>()
    .get('/models', async (c) => c.json({ models: await models(c.env).store.list() }))
    .get('/methods', (c) => c.json({ ...describeMethods(), limits: API_LIMITS }));
}
