// Cross-runtime fixtures of the gradient explainers for the workerd suite (test/workers/gradients.test.ts):
// saliency, Integrated Gradients (16 steps) and Grad-CAM of the first samples on every committed Fashion-MNIST
// model, computed in Node by onnxruntime-web (wasm, 1 thread, the Worker's kernels) and by onnxruntime-node.
// Needs dist/ (tsc). Written to test/workers/generated/gradients.json (git-ignored, rebuilt by `npm test`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = (p) => import(join(root, 'dist', p));
const { FsModelStore } = await lib('core/models/fs-store.js');
const { LoadedModel } = await lib('core/models/loaded-model.js');
const { createNodeRuntime } = await lib('core/runtime/node.js');
const { decodeImage, imageToTensor } = await lib('core/image/index.js');
const { getExplainer } = await lib('explainers/index.js');

const SAMPLES = 3;
const GRADIENT_CASES = [
  { method: 'saliency', params: {} },
  { method: 'integrated-gradients', params: { steps: 16 } },
  { method: 'grad-cam', params: {} },
];

const samplesDir = join(root, 'models/samples/fmnist');
const index = JSON.parse(readFileSync(join(samplesDir, 'index.json'), 'utf8')).slice(0, SAMPLES);
const store = new FsModelStore(join(root, 'models'));
// Threads 1 for both: the wasm build is the Worker's, and ORT's wasm thread count is fixed per process.
const runtimes = { wasm: createNodeRuntime({ backend: 'wasm', threads: 1 }), native: createNodeRuntime({ backend: 'native', threads: 1 }) };
const out = { samples: index.map((s) => ({ file: s.file, base64: readFileSync(join(samplesDir, s.file)).toString('base64') })), cases: GRADIENT_CASES, models: {} };
for (const id of (await store.ids()).filter((i) => i.startsWith('fmnist'))) {
  const manifest = await store.manifest(id);
  const bytes = await store.modelBytes(id);
  const entry = {};
  for (const [backend, runtime] of Object.entries(runtimes)) {
    const model = new LoadedModel(manifest, bytes, runtime);
    const results = [];
    for (const s of index) {
      const input = imageToTensor(decodeImage(new Uint8Array(readFileSync(join(samplesDir, s.file)))), manifest.preprocessing);
      for (const c of GRADIENT_CASES) {
        const e = await getExplainer(c.method).explain({ model, input, target: s.label, params: c.params, seed: 0, batchSize: 16 });
        results.push({ sample: s.file, method: c.method, target: s.label, shape: e.attribution.shape, attribution: Array.from(e.attribution.data) });
      }
    }
    entry[backend] = results;
    await model.dispose();
  }
  out.models[id] = entry;
}
mkdirSync(join(root, 'test/workers/generated'), { recursive: true });
writeFileSync(join(root, 'test/workers/generated/gradients.json'), JSON.stringify(out));
console.log(`gradient fixtures: ${Object.keys(out.models).join(', ') || 'no models'} x ${index.length} samples x ${GRADIENT_CASES.map((c) => c.method).join(', ')}`);
