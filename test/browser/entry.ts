// Page script for the browser tests: the library's browser runtime, the fetch model store and the image
// pipeline, bundled with esbuild and driven from Playwright through window.xai.
import { decodeImage, imageToTensor } from '../../src/core/image/index.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { FetchModelStore } from '../../src/core/models/registry.js';
import { forward } from '../../src/core/predict.js';
import { createBrowserRuntime, type BrowserBackend } from '../../src/core/runtime/browser.js';
import { concatBatch } from '../../src/core/tensor.js';

async function run(modelId: string, files: string[], backends?: BrowserBackend[]) {
  const runtime = createBrowserRuntime({ wasmPaths: '/ort/', backends });
  const store = new FetchModelStore((url) => fetch(url), '/models/');
  const model = new LoadedModel(await store.manifest(modelId), await store.modelBytes(modelId), runtime);
  const images = await Promise.all(files.map(async (f) => decodeImage(new Uint8Array(await (await fetch(f)).arrayBuffer()))));
  const batch = concatBatch(images.map((img) => imageToTensor(img, model.manifest.preprocessing)));
  const out = await forward(model, batch);
  const backend = (await model.session()).backend;
  await model.dispose();
  return { backend, shape: out.shape, logits: Array.from(out.data) };
}

(globalThis as unknown as { xai: unknown }).xai = { run };
