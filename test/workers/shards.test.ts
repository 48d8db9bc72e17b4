// Shard fan-out inside workerd: signed plans, the /api/shards signature checks, and equality of the
// in-process result with a client-side fan-out (plan, parallel shards, local merge).
import { env, exports } from 'cloudflare:workers';
import app from '../../functions/index.js';
import type { Env } from '../../functions/env.js';
import { describe, expect, it } from 'vitest';
import { XaiClient } from '../../src/client/index.js';
import { SHARD_AUTH_HEADER, signShard } from '../../src/core/shard-auth.js';
import { fixtures } from './fixtures.js';

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const workerFetch = ((input: RequestInfo | URL, init?: RequestInit) => worker.fetch(new Request(input as string, init))) as typeof fetch;
const client = new XaiClient('https://example.com', { fetch: workerFetch });
const image = fixtures.samples[3].base64;

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

describe('shards', () => {
  const cases: [string, Record<string, number | string>][] = [
    ['rise', { masks: 300, grid: 5 }],
    ['occlusion', { window: '4', stride: '4' }],
    ['kernel-shap', { samples: 200 }],
  ];
  for (const [method, params] of cases) {
    it(`${method}: client-side fan-out over 3 signed shards equals the in-process explanation`, async () => {
      const body = { model: 'fmnist-cnn', method, image, params, seed: 7 };
      const direct = await client.explain({ ...body, shards: 1 });
      const { explanation, plan } = await client.explainFanOut({ ...body, shards: 3 });
      expect(plan.plan.shards).toHaveLength(3);
      expect(explanation.width * explanation.height).toBe(direct.map.data.length);
      expect(maxRelDiff(explanation.map, direct.map.data)).toBeLessThanOrEqual(1e-6);
      const server3 = await client.explain({ ...body, shards: 3 });
      expect(maxRelDiff(server3.map.data, direct.map.data)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('a coordinator with a SHARD_SERVICE binding runs the shards through it and merges the in-process result', async () => {
    // The binding forwards to the Worker's own loopback service (ctx.exports), recording the paths it is asked
    // for: each shard is a separate invocation of the real entry, signed by the coordinator and checked by
    // /api/shards.
    const calls: string[] = [];
    const binding = {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const req = new Request(input as string, init);
        calls.push(new URL(req.url).pathname);
        return worker.fetch(req);
      },
    } as unknown as Fetcher;
    const coordinatorEnv = { ...(env as unknown as Env), SHARD_SERVICE: binding };
    const body = { model: 'fmnist-cnn', method: 'rise', image, params: { masks: 300, grid: 5 }, seed: 11 };
    const res = await app.fetch(new Request('https://example.com/api/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, shards: 3 }) }), coordinatorEnv);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-xai-fan-out')).toBe('3 shards via service binding SHARD_SERVICE');
    expect(calls).toEqual(['/api/shards', '/api/shards', '/api/shards']);
    const viaService = (await res.json()) as { map: { data: number[] } };
    const direct = await client.explain({ ...body, shards: 1 });
    expect(maxRelDiff(viaService.map.data, direct.map.data)).toBeLessThanOrEqual(1e-6);
    // Without a request-level shard count the binding gets SERVICE_SHARDS (4) shards.
    const dflt = await app.fetch(new Request('https://example.com/api/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, seed: 12 }) }), coordinatorEnv);
    expect(dflt.headers.get('x-xai-fan-out')).toBe('4 shards via service binding SHARD_SERVICE');
  });

  it('refuses unsigned, tampered, expired and foreign-secret shard specs with 403', async () => {
    const plan = await client.plan({ model: 'fmnist-cnn', method: 'rise', image, params: { masks: 40 }, shards: 2 });
    const shard = plan.plan.shards[0];
    const post = (s: unknown, token?: string) =>
      worker.fetch(new Request('https://example.com/api/shards', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { [SHARD_AUTH_HEADER]: token } : {}) }, body: JSON.stringify({ shard: s, input: plan.input }) }));
    const ok = await post(shard, plan.tokens[0]);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { partial: { index: number } }).partial.index).toBe(0);
    const cases: [unknown, string | undefined, RegExp][] = [
      [shard, undefined, /missing x-xai-shard-auth/],
      [{ ...shard, end: shard.end + 1000 }, plan.tokens[0], /does not match/],
      [shard, plan.tokens[1], /does not match/],
      [shard, await signShard('test-shard-secret-0123456789', shard, Date.now() - 1000), /expired/],
      [shard, await signShard('some-other-secret-0123456789', shard), /does not match/],
      [shard, 'garbage', /malformed/],
    ];
    for (const [s, token, msg] of cases) {
      const res = await post(s, token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(msg);
    }
  });

  it('enforces the per-request budget of forward passes before running anything', async () => {
    const res = await worker.fetch(new Request('https://example.com/api/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fmnist-cnn', method: 'rise', image, params: { masks: 50000 } }) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/runs 50000 forward passes; the limit per request is 20000/);
  });
});
