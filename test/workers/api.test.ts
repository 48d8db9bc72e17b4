// The Hono app inside workerd, through the Worker's real entry (functions/index.ts) and bindings.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { fixtures } from './fixtures.js';

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const post = (path: string, body: unknown, type = 'application/json') =>
  worker.fetch(new Request(`https://example.com${path}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) }));

describe('edge API', () => {
  it('GET /api/health answers with the backend', async () => {
    const res = await worker.fetch(new Request('https://example.com/api/health'));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { status: string; backend: { platform: string; backend: string } };
    expect(json.status).toBe('ok');
    expect(json.backend).toMatchObject({ platform: 'workerd', backend: 'wasm' });
  });

  it('POST /api/predict classifies the committed samples (>= 90% correct on all 100)', async () => {
    for (const id of Object.keys(fixtures.models)) {
      let correct = 0;
      for (const s of fixtures.samples) {
        const res = await post('/api/predict', { model: id, image: s.base64 });
        expect(res.status).toBe(200);
        const json = (await res.json()) as { top: { index: number; probability: number }[]; backend: { platform: string } };
        expect(json.top).toHaveLength(5);
        expect(json.backend.platform).toBe('workerd');
        const sum = json.top.reduce((a, t) => a + t.probability, 0);
        expect(sum).toBeLessThanOrEqual(1 + 1e-6);
        if (json.top[0].index === s.label) correct++;
      }
      expect(correct / fixtures.samples.length, id).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('rejects bad input with a 4xx JSON error naming the problem', async () => {
    const cases: [unknown, string, number, string][] = [
      ['{not json', 'application/json', 400, 'bad_json'],
      [{ model: 'fmnist-cnn' }, 'application/json', 400, 'invalid_input'],
      [{ model: 'nope', image: fixtures.samples[0].base64 }, 'application/json', 404, 'unknown_model'],
      [{ model: 'fmnist-cnn', image: '!!!' }, 'application/json', 400, 'invalid_input'],
      [{ model: 'fmnist-cnn', image: btoa('GIF89a-not-really') }, 'application/json', 415, ''],
      [{ model: 'fmnist-cnn', image: btoa('random bytes that are no image') }, 'application/json', 415, ''],
      [{ model: 'fmnist-cnn', image: btoa('\x89PNG\r\n\x1a\n-truncated') }, 'application/json', 400, ''],
      [{ model: 'fmnist-cnn', image: 'aGVsbG8=', extra: 1 }, 'application/json', 400, 'invalid_input'],
      ['model=x', 'text/plain', 415, 'unsupported_media_type'],
    ];
    for (const [body, type, status, code] of cases) {
      const res = await post('/api/predict', body, type);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status >= 400 && res.status < 500, JSON.stringify(body)).toBe(true);
      expect(res.status, JSON.stringify(body)).toBe(status);
      if (code) expect(json.error.code).toBe(code);
      expect(json.error.message.length).toBeGreaterThan(5);
    }
  });

  it('unknown routes are a JSON 404', async () => {
    const res = await worker.fetch(new Request('https://example.com/api/nope'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
