// Page script for the browser gradient tests: saliency, Grad-CAM and LRP (epsilon-gamma-box) through the library's browser runtime,
// bundled with esbuild and driven from Playwright through window.xaiGrad. Also reports which backend ran each
// gradient graph (a graph that failed on WebGPU would otherwise fall back to WASM unnoticed) and its op types.
import { GRADIENT, lrpComposite } from '../../src/core/grad/composites.js';
import { camLayerOf } from '../../src/core/grad/layers.js';
import { gradientSession } from '../../src/core/grad/run.js';
import { decodeImage, imageToTensor } from '../../src/core/image/index.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { FetchModelStore } from '../../src/core/models/registry.js';
import { createBrowserRuntime, type BrowserBackend } from '../../src/core/runtime/browser.js';
import { getExplainer } from '../../src/explainers/index.js';
import { inputBox } from '../../src/explainers/lrp.js';

const METHODS: Record<string, Record<string, string | boolean>> = { saliency: { abs: false }, 'grad-cam': {}, lrp: { composite: 'epsilon-gamma-box' } };

async function explain(modelId: string, files: string[], backends: BrowserBackend[]) {
  const runtime = createBrowserRuntime({ wasmPaths: '/ort/', backends });
  const store = new FetchModelStore((url) => fetch(url), '/models/');
  const model = new LoadedModel(await store.manifest(modelId), await store.modelBytes(modelId), runtime);
  try {
    const results: { file: string; method: string; shape: number[]; attribution: number[] }[] = [];
    for (const f of files) {
      const input = imageToTensor(decodeImage(new Uint8Array(await (await fetch(f)).arrayBuffer())), model.manifest.preprocessing);
      for (const [method, params] of Object.entries(METHODS)) {
        const e = await getExplainer(method).explain({ model, input, target: 0, params, seed: 0, batchSize: 1 });
        results.push({ file: f, method, shape: e.attribution.shape, attribution: Array.from(e.attribution.data) });
      }
    }
    const layer = camLayerOf({ model } as Parameters<typeof camLayerOf>[0]).layer;
    const sessions = {
      saliency: (await gradientSession(model, { rules: GRADIENT })).backend,
      'grad-cam': (await gradientSession(model, { rules: GRADIENT, tensors: [layer], inputGradient: false })).backend,
      lrp: (await gradientSession(model, { rules: lrpComposite('epsilon-gamma-box', { ...inputBox(model) }) })).backend,
    };
    return { sessions, results };
  } finally {
    await model.dispose();
  }
}

(globalThis as unknown as { xaiGrad: unknown }).xaiGrad = { explain };
