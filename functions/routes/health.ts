/**
 * GET /api/health: liveness plus what runs here (runtime, backend, version).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../src/core/runtime/types.js';

export function healthRoutes(runtime: () => Runtime) {
  return new Hono<AppEnv>().get('/health', (c) => c.json({ status: 'ok', service: 'xai-edge', backend: runtime().describe() }));
}
