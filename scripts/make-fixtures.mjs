// Cross-runtime fixtures for the workerd suite: for every committed model, the logits that native
// onnxruntime-node and onnxruntime-web (wasm, Node) compute on the first sample images, with the images as
// base64. The workerd tests run the same images through the Worker's runtime and compare.
// Written to test/workers/generated/ (git-ignored, rebuilt by `npm test`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FsModelStore } = await import(join(root, 'dist/core/models/fs-store.js'));
const { LoadedModel } = await import(join(root, 'dist/core/models/loaded-model.js'));
const { createNodeRuntime } = await import(join(root, 'dist/core/runtime/node.js'));
const { decodeImage, imageToTensor } = await import(join(root, 'dist/core/image/index.js'));
const { forward } = await import(join(root, 'dist/core/predict.js'));
const { concatBatch } = await import(join(root, 'dist/core/tensor.js'));

const SAMPLES = 100;
const samplesDir = join(root, 'models/samples/fmnist');
const index = JSON.parse(readFileSync(join(samplesDir, 'index.json'), 'utf8')).slice(0, SAMPLES);
const store = new FsModelStore(join(root, 'models'));
const fixtures = { samples: index.map((s) => ({ ...s, base64: readFileSync(join(samplesDir, s.file)).toString('base64') })), models: {} };
for (const id of await store.ids()) {
  const manifest = await store.manifest(id);
  // The samples are Fashion-MNIST images: only the single-label classifiers take them.
  if (manifest.task !== 'classification') continue;
  const bytes = await store.modelBytes(id);
  const entry = {};
  for (const backend of ['native', 'wasm']) {
    const model = new LoadedModel(manifest, bytes, createNodeRuntime({ backend, threads: 1 }));
    const batch = concatBatch(index.map((s) => imageToTensor(decodeImage(new Uint8Array(readFileSync(join(samplesDir, s.file)))), manifest.preprocessing)));
    const out = await forward(model, batch);
    entry[backend] = { shape: out.shape, logits: Array.from(out.data) };
    await model.dispose();
  }
  fixtures.models[id] = entry;
}
mkdirSync(join(root, 'test/workers/generated'), { recursive: true });
writeFileSync(join(root, 'test/workers/generated/fixtures.json'), JSON.stringify(fixtures));
console.log(`fixtures: ${Object.keys(fixtures.models).join(', ') || 'no models'} x ${index.length} samples`);
