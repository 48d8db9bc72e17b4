/**
 * One place that turns errors into HTTP responses: XaiError kinds map to status codes, the body is always
 * `{ "error": { "code", "message", "param"? } }`, and unexpected errors never leak a stack trace.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { XaiError, httpStatusFor } from '../../src/core/errors.js';
import type { AppEnv } from '../env.js';

export interface ErrorBody {
  error: { code: string; message: string; param?: string };
}

export function errorResponse(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof XaiError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.param ? { param: err.param } : {}) } };
    return c.json(body, httpStatusFor(err) as 400);
  }
  if (err instanceof HTTPException) {
    return c.json({ error: { code: 'http_error', message: err.message || 'request error' } }, err.status);
  }
  console.error(`[${c.get('requestId') ?? '-'}] unexpected error`, err);
  return c.json({ error: { code: 'internal_error', message: 'internal error' } }, 500);
}
