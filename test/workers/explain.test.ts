// /api/explain, /api/methods, /api/models and /api/openapi.json inside workerd, through the Worker's entry.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { fixtures } from './fixtures.js';

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  worker.fetch(new Request(`https://example.com${path}`, { method: 'POST', headers, body: body instanceof FormData ? body : JSON.stringify(body) }));
const sample = fixtures.samples[0];

interface ExplainJson {
  method: string;
  target: number;
  params: Record<string, unknown>;
  shape: number[];
  map: { width: number; height: number; data: number[] };
  backend: { platform: string };
  png?: string;
}

describe('POST /api/explain', () => {
  it('returns a saliency map as JSON with defaults filled, then serves the same request from cache', async () => {
    const body = { model: 'fmnist-cnn', method: 'saliency', image: sample.base64, params: { abs: false } };
    const res = await post('/api/explain', body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('miss');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const json = (await res.json()) as ExplainJson;
    expect(json.method).toBe('saliency');
    expect(json.target).toBe(sample.label);
    expect(json.params).toEqual({ abs: false, reduce: 'max-abs' });
    expect(json.shape).toEqual([1, 1, 28, 28]);
    expect(json.map.data).toHaveLength(28 * 28);
    expect(json.map.data.some((v) => v < 0)).toBe(true);
    expect(json.backend.platform).toBe('workerd');
    const again = await post('/api/explain', body);
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(((await again.json()) as ExplainJson).map.data).toEqual(json.map.data);
  });

  it('answers format png with a PNG, and format both with JSON plus a base64 PNG', async () => {
    const png = await post('/api/explain', { model: 'fmnist-cnn', method: 'grad-cam', image: sample.base64, format: 'png' });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const both = (await (await post('/api/explain', { model: 'fmnist-cnn', method: 'grad-cam', image: sample.base64, format: 'both', render: 'heatmap' })).json()) as ExplainJson;
    expect(both.png?.startsWith('iVBORw0KGgo')).toBe(true);
    expect(both.shape).toEqual([1, 1, 14, 14]);
  });

  it('accepts a multipart upload and a raw tensor, giving the same map as the JSON image', async () => {
    const bin = Uint8Array.from(atob(sample.base64), (ch) => ch.charCodeAt(0));
    const form = new FormData();
    form.append('model', 'fmnist-cnn');
    form.append('method', 'saliency');
    form.append('image', new File([bin], 'x.png', { type: 'image/png' }));
    const a = (await (await post('/api/explain', form, {})).json()) as ExplainJson;
    const b = (await (await post('/api/explain', { model: 'fmnist-cnn', method: 'saliency', image: sample.base64 })).json()) as ExplainJson;
    expect(a.map.data).toEqual(b.map.data);
    expect(a.target).toBe(b.target);
  });

  it('rejects unknown methods, bad parameters and bad targets with errors that name them', async () => {
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ method: 'nope' }, 404, /unknown method "nope"; available: saliency/],
      [{ method: 'saliency', params: { reduce: 'median' } }, 400, /parameter "reduce" got "median"; allowed: max-abs, sum, l2/],
      [{ method: 'saliency', params: { stpes: 3 } }, 400, /unknown parameter "stpes" for saliency/],
      [{ method: 'saliency', target: 10 }, 400, /target 10 is not a class of model "fmnist-cnn"; allowed: integers 0..9/],
      [{ method: 'saliency', seed: -1 }, 400, /field "seed"/],
      [{ method: 'integrated-gradients', params: { steps: 100000 } }, 400, /parameter "steps" got 100000; allowed: an integer >= 1 and <= 1024/],
      [{}, 400, /field "method" is required/],
    ];
    for (const [extra, status, msg] of cases) {
      const res = await post('/api/explain', { model: 'fmnist-cnn', image: sample.base64, ...extra });
      const json = (await res.json()) as { error: { message: string } };
      expect(res.status, JSON.stringify(extra)).toBe(status);
      expect(json.error.message).toMatch(msg);
    }
  });

  it('fuzz: random bodies and random image bytes always give a 4xx with the JSON error shape', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const bodies: (() => [string, string])[] = [
      () => ['application/json', JSON.stringify({ model: 'fmnist-cnn', method: 'saliency', image: btoa(String.fromCharCode(...Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)))) })],
      () => ['application/json', String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 50) }, () => 32 + Math.floor(rnd() * 90)))],
      () => ['application/json', JSON.stringify({ model: rnd() < 0.5 ? 'fmnist-cnn' : 42, method: 'saliency', image: 'AAAA', params: rnd() < 0.5 ? [] : { x: null } })],
      () => ['multipart/form-data; boundary=xyz', '--xyz\r\ngarbage'],
      () => ['application/json', JSON.stringify({ model: 'fmnist-cnn', method: 'saliency', tensor: btoa('abcd'), shape: [1, 1, 28, 28] })],
    ];
    for (let i = 0; i < 40; i++) {
      const [type, body] = bodies[i % bodies.length]();
      const res = await worker.fetch(new Request('https://example.com/api/explain', { method: 'POST', headers: { 'content-type': type }, body }));
      expect(res.status >= 400 && res.status < 500, `${type} ${body.slice(0, 80)} -> ${res.status}`).toBe(true);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(typeof json.error.code).toBe('string');
      expect(json.error.message).not.toMatch(/\n\s+at /);
    }
  });
});

describe('catalog and docs', () => {
  it('GET /api/methods lists methods with parameter schemas and limits', async () => {
    const json = (await (await worker.fetch(new Request('https://example.com/api/methods'))).json()) as {
      methods: { name: string; params: { name: string; default?: unknown }[] }[];
      limits: Record<string, number>;
    };
    const names = json.methods.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['saliency', 'integrated-gradients', 'grad-cam', 'occlusion', 'rise']));
    expect(json.limits.maxEncodedImageBytes).toBe(10 * 1024 * 1024);
    expect(json.limits.maxImageSide).toBe(4096);
  });

  it('GET /api/models lists the manifests', async () => {
    const json = (await (await worker.fetch(new Request('https://example.com/api/models'))).json()) as { models: { id: string }[] };
    expect(json.models.map((m) => m.id)).toEqual(expect.arrayContaining(['fmnist-cnn']));
  });

  it('GET /api/openapi.json documents every route', async () => {
    const doc = (await (await worker.fetch(new Request('https://example.com/api/openapi.json'))).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/models', '/api/methods', '/api/predict', '/api/explain', '/api/plan', '/api/shards']));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ExplainRequest', 'ExplainResponse', 'Error']));
  });

  it('answers CORS preflights for API routes', async () => {
    const res = await worker.fetch(new Request('https://example.com/api/explain', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } }));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('load inside one isolate', () => {
  it('20 concurrent saliency and then 20 concurrent RISE (1000 masks) requests all succeed', async () => {
    const go = (method: string, params: Record<string, number>, seed: number) =>
      post('/api/explain', { model: 'fmnist-cnn', method, image: sample.base64, params, seed });
    const s = await Promise.all(Array.from({ length: 20 }, (_, i) => go('saliency', {}, 1000 + i)));
    expect(s.map((r) => r.status)).toEqual(Array(20).fill(200));
    const r = await Promise.all(Array.from({ length: 20 }, (_, i) => go('rise', { masks: 1000 }, 2000 + i)));
    const failed = await Promise.all(r.filter((x) => x.status !== 200).map(async (x) => `${x.status} ${(await x.text()).slice(0, 120)}`));
    expect(failed).toEqual([]);
    // Different seeds: different masks, so different maps.
    const maps = await Promise.all(r.slice(0, 2).map(async (x) => ((await x.json()) as ExplainJson).map.data));
    expect(maps[0]).not.toEqual(maps[1]);
  });

  it('yields to the event loop between model runs, so one long explanation does not stall the isolate', async () => {
    // ORT's wasm run is synchronous; without a macrotask turn per run, a RISE request would hold the event loop
    // from its first run to its last (no other request read, no response written; under wrangler dev the HTTP
    // server then drops keep-alive connections). Count timer turns that fire while 2000 masks (63 runs) execute.
    const warm = await post('/api/explain', { model: 'fmnist-cnn', method: 'rise', image: sample.base64, params: { masks: 32 }, seed: 4241 });
    expect(warm.status).toBe(200);
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns++;
      setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    // A seed of this run: a cached answer (the Cache API's state can outlive a run) would count I/O turns only.
    const seed = Date.now() % 1_000_000_000;
    const res = await post('/api/explain', { model: 'fmnist-cnn', method: 'rise', image: sample.base64, params: { masks: 2000 }, seed, batchSize: 32 });
    done = true;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('miss');
    expect(turns).toBeGreaterThanOrEqual(60);
  });
});
