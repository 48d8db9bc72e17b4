// Gradient explainers in Debian's Chromium: saliency, Grad-CAM and LRP (epsilon-gamma-box) of fmnist-cnn computed on WebGPU
// (SwiftShader) agree with the same explanations on WASM (max abs diff <= 1e-3 of the map's largest value), and
// the gradient graphs really run on WebGPU (no silent fallback): the Indices-free max-pool backward, the
// flipped-weight Conv, the ConvTranspose backward and the LRP rules all run on ORT's WebGPU EP.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { serveStatic } from '../helpers/static-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const samples = (JSON.parse(readFileSync(`${root}models/samples/fmnist/index.json`, 'utf8')) as { file: string }[]).slice(0, 2);
const files = samples.map((s) => `/samples/fmnist/${s.file}`);
const MODEL = 'fmnist-cnn';

let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  const bundle = await build({ entryPoints: [`${root}test/browser/gradients-entry.ts`], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  server = await serveStatic(
    { '/ort/': `${root}node_modules/onnxruntime-web/dist/`, '/models/': `${root}site/dist/models/`, '/samples/': `${root}models/samples/` },
    { '/': '<!doctype html><meta charset="utf-8"><script type="module" src="/entry.js"></script>', '/entry.js': bundle.outputFiles[0].text },
  );
}, 120_000);
afterAll(async () => server?.close());

interface Run {
  sessions: Record<string, { backend: string; fallback?: string }>;
  results: { file: string; method: string; shape: number[]; attribution: number[] }[];
}

async function explainInChromium(webgpu: boolean): Promise<Run> {
  const { browser, close } = await launchChromium({ webgpu });
  try {
    const page = await (browser as import('playwright-core').BrowserContext).newPage();
    await page.goto(server.url + '/');
    await page.waitForFunction(() => 'xaiGrad' in globalThis);
    return (await page.evaluate(
      ([m, f, b]) => (globalThis as unknown as { xaiGrad: { explain(m: string, f: string[], b: string[]): Promise<unknown> } }).xaiGrad.explain(m, f, b),
      [MODEL, files, webgpu ? ['webgpu'] : ['wasm']] as const,
    )) as Run;
  } finally {
    await close();
  }
}

describe('gradient explainers in Chromium: WebGPU vs WASM', () => {
  it('saliency, grad-cam and lrp on WebGPU equal WASM (max abs diff <= 1e-3 x max |attribution|)', async () => {
    const wasm = await explainInChromium(false);
    const gpu = await explainInChromium(true);
    for (const s of Object.values(wasm.sessions)) expect(s.backend).toBe('wasm');
    for (const s of Object.values(gpu.sessions)) expect(s).toMatchObject({ backend: 'webgpu' });
    expect(Object.keys(gpu.sessions).sort()).toEqual(['grad-cam', 'lrp', 'saliency']);
    expect(gpu.results.length).toBe(wasm.results.length);
    const lines: string[] = [];
    gpu.results.forEach((g, i) => {
      const w = wasm.results[i];
      expect(g.shape).toEqual(w.shape);
      let diff = 0;
      let scale = 0;
      for (let j = 0; j < w.attribution.length; j++) {
        diff = Math.max(diff, Math.abs(g.attribution[j] - w.attribution[j]));
        scale = Math.max(scale, Math.abs(w.attribution[j]));
      }
      lines.push(`${w.file} ${w.method}: max|attr| ${scale.toExponential(2)}, webgpu vs wasm max abs diff ${diff.toExponential(2)} (${(diff / scale).toExponential(2)} relative)`);
      expect(scale).toBeGreaterThan(0);
      expect(diff, `${w.file} ${w.method}`).toBeLessThanOrEqual(1e-3 * scale);
    });
    console.log(lines.join('\n'));
  }, 300_000);
});
