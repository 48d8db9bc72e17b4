/**
 * HTTP executor (isomorphic: only fetch): posts each shard to an endpoint as
 *   POST <endpoint>  {"shard": ShardSpec, "input": {"shape": [...], "f32": base64}}
 * and expects 200 {"partial": ShardPartial}; the server side is handleShardRequest (shards.ts), mounted by the
 * API at /api/shards. One executor per endpoint, so the scheduler retries a failed shard on another endpoint.
 * 400/413/415 answers are the caller's fault and fail the run at once; network errors, timeouts and any
 * other status are retried elsewhere.
 */
import { InvalidInputError, RuntimeFailure } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { encodeTensor } from '../codec.js';
import { parsePartial } from '../engine.js';
import type { ShardPartial, ShardSpec } from '../types.js';
import type { ShardExecutor, ShardRunOptions } from './types.js';

export interface HttpExecutorOptions {
  /** Full URLs of shard endpoints, e.g. "https://xai.example.workers.dev/api/shards". */
  endpoints: readonly string[];
  input: Tensor;
  /** Shards in flight per endpoint (default 1). */
  concurrency?: number;
  /** Per-request time limit (default 10 minutes). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Extra headers per shard, e.g. a signature (shard-auth.ts shardAuthHeaders). */
  sign?: (shard: ShardSpec) => Promise<Record<string, string>> | Record<string, string>;
  fetch?: typeof fetch;
}

/**
 * One ShardExecutor per endpoint.
 * @example const executors = httpExecutors({ endpoints: ['http://a:8787/api/shards', 'http://b:8787/api/shards'], input });
 */
export function httpExecutors(o: HttpExecutorOptions): ShardExecutor[] {
  if (o.endpoints.length === 0) throw new InvalidInputError('httpExecutors needs at least one endpoint', { param: 'endpoints' });
  for (const e of o.endpoints) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      throw new InvalidInputError(`endpoint ${JSON.stringify(e)} is not a URL`, { param: 'endpoints' });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidInputError(`endpoint ${JSON.stringify(e)} must be http or https`, { param: 'endpoints' });
  }
  const doFetch = o.fetch ?? fetch;
  // Encode once: every shard carries the same input.
  let inputJson: string | undefined;
  return o.endpoints.map((endpoint) => ({
    name: endpoint,
    concurrency: o.concurrency ?? 1,
    async run(shard: ShardSpec, opts: ShardRunOptions = {}): Promise<ShardPartial> {
      inputJson ??= JSON.stringify(encodeTensor(o.input));
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), o.timeoutMs ?? 600_000);
      const onAbort = () => ac.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        let res: Response;
        try {
          res = await doFetch(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...o.headers, ...(o.sign ? await o.sign(shard) : {}) },
            body: `{"shard":${JSON.stringify(shard)},"input":${inputJson}}`,
            signal: ac.signal,
          });
        } catch (err) {
          throw new RuntimeFailure(`POST ${endpoint} failed: ${(err as Error).message}`, { cause: err });
        }
        const text = await res.text();
        if (!res.ok) {
          let msg = text.slice(0, 300);
          try {
            const j = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
            msg = (typeof j.error === 'string' ? j.error : j.error?.message) ?? j.message ?? msg;
          } catch {
            // not JSON: keep the text
          }
          const permanent = res.status === 400 || res.status === 413 || res.status === 415;
          const m = `POST ${endpoint}: HTTP ${res.status}: ${msg}`;
          throw permanent ? new InvalidInputError(m, { param: 'shard' }) : new RuntimeFailure(m);
        }
        let body: { partial?: unknown };
        try {
          body = JSON.parse(text) as { partial?: unknown };
        } catch {
          throw new RuntimeFailure(`POST ${endpoint}: the answer is not JSON`);
        }
        const partial = parsePartial(body.partial);
        opts.onProgress?.(partial.end - partial.start, shard.end - shard.start);
        return partial;
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      }
    },
  }));
}
