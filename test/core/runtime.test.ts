// The Node runtime: native onnxruntime-node and onnxruntime-web's wasm build compute the same logits on the
// reference models, batches work, fixed-batch models say so, and bad options are named.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { createNodeRuntime } from '../../src/core/runtime/node.js';
import { expectAllClose } from '../helpers/close.js';
import { REFERENCE_DATA_DIR } from '../helpers/reference-dir.js';

const REF = REFERENCE_DATA_DIR + '/';
const refManifest = JSON.parse(readFileSync(`${REF}manifest.json`, 'utf8'));
const bin = (rel: string) => {
  const b = readFileSync(`${REF}${rel}`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe('node runtime', () => {
  it('native and wasm give the reference logits of PyTorch (tinycnn, fmnist_cnn)', async () => {
    for (const [model, input] of [
      ['tinycnn', 'rand32_0'],
      ['fmnist_cnn', 'fmnist_test_00000'],
    ]) {
      const files = readdirInputs(model, input);
      const bytes = new Uint8Array(readFileSync(`${REF}models/${model}.onnx`));
      for (const backend of ['native', 'wasm'] as const) {
        const rt = createNodeRuntime({ backend, threads: 1 });
        const s = await rt.createSession(bytes);
        expect(s.backend.backend).toBe(backend);
        const x = bin(files.input);
        const shape = [1, ...(files.shape as number[]).slice(1)];
        const out = await s.run({ input: { data: x, shape } });
        expectAllClose(out.logits.data, bin(files.logits), { atol: 1e-5, rtol: 1e-5 });
        await s.dispose();
      }
    }
  });

  it('runs batches: a batch of 3 equals three single runs', async () => {
    const bytes = new Uint8Array(readFileSync(`${REF}models/tinycnn.onnx`));
    const s = await createNodeRuntime({ backend: 'native', threads: 2 }).createSession(bytes);
    const one = 3 * 32 * 32;
    const x = new Float32Array(3 * one).map((_, i) => Math.cos(i * 0.37));
    const batch = await s.run({ input: { data: x, shape: [3, 3, 32, 32] } });
    expect(batch.logits.shape).toEqual([3, 10]);
    for (let i = 0; i < 3; i++) {
      const single = await s.run({ input: { data: x.subarray(i * one, (i + 1) * one), shape: [1, 3, 32, 32] } });
      expectAllClose(batch.logits.data.subarray(i * 10, (i + 1) * 10), single.logits.data, { atol: 1e-5 });
    }
    await s.dispose();
  });

  it('names bad options and wrong shapes', async () => {
    expect(() => createNodeRuntime({ backend: 'gpu' as never })).toThrow(/backend "gpu".*allowed: auto, native, wasm/);
    expect(() => createNodeRuntime({ threads: 0 })).toThrow(/threads must be an integer from 1 to 256, got 0/);
    const s = await createNodeRuntime({ backend: 'native', threads: 1 }).createSession(new Uint8Array(readFileSync(`${REF}models/tinycnn.onnx`)));
    await expect(s.run({ input: { data: new Float32Array(10), shape: [1, 10] } })).rejects.toThrow(/expects rank 4/);
    await expect(s.run({ input: { data: new Float32Array(3 * 28 * 28), shape: [1, 3, 28, 28] } })).rejects.toThrow(/expects \[batch, 3, 32, 32\]/);
    await expect(s.run({})).rejects.toThrow(/missing model input "input"/);
    await s.dispose();
    await expect(createNodeRuntime({ backend: 'native' }).createSession(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('a model with a fixed batch of 1 says so when a larger batch is asked', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../fixtures/fixed-batch.onnx', import.meta.url)));
    const s = await createNodeRuntime({ backend: 'native', threads: 1 }).createSession(bytes);
    expect(s.inputs[0].dims?.[0]).toBe(1);
    await expect(s.run({ [s.inputs[0].name]: { data: new Float32Array(2 * 3 * 32 * 32), shape: [2, 3, 32, 32] } })).rejects.toThrow(/fixed batch size of 1/);
    await s.dispose();
  });
});

function readdirInputs(model: string, input: string): { input: string; logits: string; shape: number[] } {
  const c = (refManifest.cases as { model: string; input: string; input_file: string; input_shape: number[]; logits_file: { file: string } }[]).find(
    (k) => k.model === model && k.input === input,
  );
  if (!c) throw new Error(`reference case ${model}/${input} not in manifest`);
  return { input: c.input_file, logits: c.logits_file.file, shape: c.input_shape };
}
