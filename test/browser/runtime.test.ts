// The browser runtime in Debian's Chromium: the same library code, bundled with esbuild, loads a committed
// model over HTTP and computes the same logits as native onnxruntime-node, on WASM and on WebGPU
// (SwiftShader), and reports which backend ran and why it fell back.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsModelStore } from '../../src/core/models/fs-store.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { decodeImage, imageToTensor } from '../../src/core/image/index.js';
import { forward } from '../../src/core/predict.js';
import { createNodeRuntime } from '../../src/core/runtime/node.js';
import { concatBatch } from '../../src/core/tensor.js';
import { launchChromium } from '../helpers/chromium.js';
import { serveStatic } from '../helpers/static-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const samples = (JSON.parse(readFileSync(`${root}models/samples/fmnist/index.json`, 'utf8')) as { file: string }[]).slice(0, 8);
const files = samples.map((s) => `/samples/fmnist/${s.file}`);
const MODEL = 'fmnist-cnn';

let server: { url: string; close(): Promise<void> };
let expected: number[];

beforeAll(async () => {
  const bundle = await build({ entryPoints: [`${root}test/browser/entry.ts`], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  server = await serveStatic(
    { '/ort/': `${root}node_modules/onnxruntime-web/dist/`, '/models/': `${root}site/dist/models/`, '/samples/': `${root}models/samples/` },
    { '/': '<!doctype html><meta charset="utf-8"><script type="module" src="/entry.js"></script>', '/entry.js': bundle.outputFiles[0].text },
  );
  const store = new FsModelStore(`${root}models`);
  const model = new LoadedModel(await store.manifest(MODEL), await store.modelBytes(MODEL), createNodeRuntime({ backend: 'native', threads: 1 }));
  const batch = concatBatch(samples.map((s) => imageToTensor(decodeImage(new Uint8Array(readFileSync(`${root}models/samples/fmnist/${s.file}`))), model.manifest.preprocessing)));
  expected = Array.from((await forward(model, batch)).data);
  await model.dispose();
}, 120_000);
afterAll(async () => server?.close());

type RunResult = { backend: { platform: string; backend: string; fallback?: string }; shape: number[]; logits: number[] };

async function runInChromium(webgpu: boolean, backends?: string[]): Promise<RunResult> {
  const { browser, close } = await launchChromium({ webgpu });
  try {
    const page = await (browser as import('playwright-core').BrowserContext).newPage();
    await page.goto(server.url + '/');
    await page.waitForFunction(() => 'xai' in globalThis);
    return (await page.evaluate(
      ([m, f, b]) => (globalThis as unknown as { xai: { run(m: string, f: string[], b?: string[]): Promise<unknown> } }).xai.run(m, f, b),
      [MODEL, files, backends] as const,
    )) as RunResult;
  } finally {
    await close();
  }
}

function maxAbsDiff(a: number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('browser runtime (Chromium)', () => {
  it('WASM: same logits as native Node (max abs diff <= 1e-5)', async () => {
    const r = await runInChromium(false, ['wasm']);
    expect(r.backend).toMatchObject({ platform: 'browser', backend: 'wasm' });
    expect(r.shape).toEqual([samples.length, 10]);
    expect(maxAbsDiff(r.logits, expected)).toBeLessThanOrEqual(1e-5);
  });

  it('without a GPU, WebGPU fails and the runtime falls back to WASM, saying why', async () => {
    const r = await runInChromium(false);
    expect(r.backend.backend).toBe('wasm');
    expect(r.backend.fallback).toMatch(/^\[webgpu\] /);
    expect(maxAbsDiff(r.logits, expected)).toBeLessThanOrEqual(1e-5);
  });

  it('WebGPU (SwiftShader) runs the model and matches native Node (max abs diff <= 1e-4)', async () => {
    const r = await runInChromium(true);
    expect(r.backend.backend).toBe('webgpu');
    expect(r.backend.fallback).toBeUndefined();
    // GPU kernels accumulate in a different order; logits of this size agree to ~1e-5.
    expect(maxAbsDiff(r.logits, expected)).toBeLessThanOrEqual(1e-4);
  });
});
