// Inside workerd: the Worker's ORT runtime (wasm handed over as a module) loads the committed models from
// the static-assets binding and computes the same logits as native onnxruntime-node and wasm in Node.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { base64ToBytes } from '../../src/core/base64.js';
import { decodeImage, imageToTensor } from '../../src/core/image/index.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { FetchModelStore } from '../../src/core/models/registry.js';
import { forward } from '../../src/core/predict.js';
import { createWorkerdRuntime } from '../../src/core/runtime/workerd.js';
import { concatBatch } from '../../src/core/tensor.js';
import ortWasm from '../../functions/generated/ort-wasm-simd-threaded.wasm';
import { fixtures } from './fixtures.js';

const store = new FetchModelStore((path) => (env as { ASSETS: Fetcher }).ASSETS.fetch(new Request(`https://assets.local${path}`)));
const runtime = createWorkerdRuntime(ortWasm);
const modelIds = Object.keys(fixtures.models);

describe('workerd runtime', () => {
  it('reports the wasm backend in workerd', () => {
    expect(runtime.describe()).toMatchObject({ platform: 'workerd', backend: 'wasm', threads: 1 });
  });

  it('lists the committed models from the assets binding', async () => {
    const ids = (await store.list()).map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(modelIds));
    expect(ids).toEqual(expect.arrayContaining(['fmnist-cnn', 'fmnist-resnet', 'bias-attributes']));
  });

  for (const id of modelIds) {
    it(`${id}: batch logits equal native and wasm-in-Node (max abs diff <= 1e-5)`, async () => {
      const model = new LoadedModel(await store.manifest(id), await store.modelBytes(id), runtime);
      const batch = concatBatch(fixtures.samples.map((s) => imageToTensor(decodeImage(base64ToBytes(s.base64)), model.manifest.preprocessing)));
      const out = await forward(model, batch);
      const ref = fixtures.models[id];
      expect(out.shape).toEqual(ref.native.shape);
      let maxNative = 0;
      let maxWasm = 0;
      for (let i = 0; i < out.data.length; i++) {
        maxNative = Math.max(maxNative, Math.abs(out.data[i] - ref.native.logits[i]));
        maxWasm = Math.max(maxWasm, Math.abs(out.data[i] - ref.wasm.logits[i]));
      }
      expect(maxNative).toBeLessThanOrEqual(1e-5);
      expect(maxWasm).toBeLessThanOrEqual(1e-5);
      await model.dispose();
    });
  }
});
