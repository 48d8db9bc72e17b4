// End to end against a real `wrangler dev`: the same Worker, assets and models that `npm start` serves.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWranglerDev, type DevServer } from '../helpers/wrangler-dev.js';

const samplesDir = new URL('../../models/samples/fmnist/', import.meta.url);
const samples = (JSON.parse(readFileSync(new URL('index.json', samplesDir), 'utf8')) as { file: string; label: number }[]).slice(0, 10);

let server: DevServer;
beforeAll(async () => {
  server = await startWranglerDev({ vars: { SHARD_SECRET: "e2e-secret-0123456789abcdef" } });
}, 120_000);
afterAll(async () => server?.stop());

describe('wrangler dev', () => {
  it('serves the health route, the placeholder or site, and the model index', async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { backend: { platform: string } }).backend.platform).toBe('workerd');
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('xai-edge');
    const index = (await (await fetch(`${server.url}/models/index.json`)).json()) as { models: string[] };
    expect(index.models).toEqual(expect.arrayContaining(['fmnist-cnn', 'fmnist-resnet']));
  });

  it('predicts sample images over HTTP', async () => {
    let correct = 0;
    for (const s of samples) {
      const image = readFileSync(new URL(s.file, samplesDir)).toString('base64');
      const res = await fetch(`${server.url}/api/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fmnist-resnet', image }) });
      expect(res.status).toBe(200);
      const json = (await res.json()) as { top: { index: number }[] };
      if (json.top[0].index === s.label) correct++;
    }
    expect(correct).toBeGreaterThanOrEqual(9);
  });

  it('answers bad input with a 4xx JSON error, never a 500', async () => {
    const res = await fetch(`${server.url}/api/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fmnist-cnn', image: btoa('\x89PNG\r\n\x1a\ntruncated') }) });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.message).toMatch(/PNG|image/i);
  });
});
