// Inside workerd: saliency, Integrated Gradients and Grad-CAM computed by the Worker's runtime (gradient graphs
// built in the Worker, onnxruntime-web wasm) equal the same explanations computed in Node
// (scripts/make-gradient-fixtures.mjs): max abs diff <= 1e-5 vs wasm-in-Node; native onnxruntime-node is
// reported and held to the same bound.
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { base64ToBytes } from '../../src/core/base64.js';
import { decodeImage, imageToTensor } from '../../src/core/image/index.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { FetchModelStore } from '../../src/core/models/registry.js';
import { createWorkerdRuntime } from '../../src/core/runtime/workerd.js';
import { getExplainer } from '../../src/explainers/index.js';
import ortWasm from '../../functions/generated/ort-wasm-simd-threaded.wasm';
import raw from './generated/gradients.json' with { type: 'json' };

interface GradientFixtures {
  samples: { file: string; base64: string }[];
  cases: { method: string; params: Record<string, unknown> }[];
  models: Record<string, Record<'wasm' | 'native', { sample: string; method: string; target: number; shape: number[]; attribution: number[] }[]>>;
}
const fixtures = raw as unknown as GradientFixtures;
const store = new FetchModelStore((path) => (env as { ASSETS: Fetcher }).ASSETS.fetch(new Request(`https://assets.local${path}`)));
const runtime = createWorkerdRuntime(ortWasm);
const report: string[] = [];

describe('gradient explainers in workerd vs Node', () => {
  it('has fixtures for at least one model', () => {
    expect(Object.keys(fixtures.models).length).toBeGreaterThan(0);
  });

  for (const [id, byBackend] of Object.entries(fixtures.models)) {
    it(`${id}: saliency, integrated-gradients, grad-cam equal Node's (max abs diff <= 1e-5)`, async () => {
      const model = new LoadedModel(await store.manifest(id), await store.modelBytes(id), runtime);
      try {
        for (const [k, ref] of byBackend.wasm.entries()) {
          const sample = fixtures.samples.find((s) => s.file === ref.sample)!;
          const input = imageToTensor(decodeImage(base64ToBytes(sample.base64)), model.manifest.preprocessing);
          const params = fixtures.cases.find((c) => c.method === ref.method)!.params as never;
          const e = await getExplainer(ref.method).explain({ model, input, target: ref.target, params, seed: 0, batchSize: 16 });
          expect(e.attribution.shape).toEqual(ref.shape);
          const native = byBackend.native[k];
          let dWasm = 0;
          let dNative = 0;
          let scale = 0;
          for (let i = 0; i < ref.attribution.length; i++) {
            dWasm = Math.max(dWasm, Math.abs(e.attribution.data[i] - ref.attribution[i]));
            dNative = Math.max(dNative, Math.abs(e.attribution.data[i] - native.attribution[i]));
            scale = Math.max(scale, Math.abs(ref.attribution[i]));
          }
          report.push(`${id} ${ref.sample} ${ref.method}: max|attr| ${scale.toExponential(2)}, vs wasm-in-Node ${dWasm.toExponential(2)}, vs native ${dNative.toExponential(2)}`);
          expect(dWasm, `${ref.sample} ${ref.method} vs wasm-in-Node`).toBeLessThanOrEqual(1e-5);
          expect(dNative, `${ref.sample} ${ref.method} vs native`).toBeLessThanOrEqual(1e-5);
        }
      } finally {
        await model.dispose();
      }
    });
  }

  afterAll(() => console.log(report.join('\n')));
});
