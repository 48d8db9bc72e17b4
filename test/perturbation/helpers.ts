/**
 * Test helpers for the perturbation suite: the reference ONNX models as LoadedModels, reference inputs and
 * attributions, and fake models (a pure TS function of the input batch behind the Session interface) for
 * exactness tests that need a model with known behaviour.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExplainRequest } from '../../src/core/explainer.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { parseManifest } from '../../src/core/models/manifest.js';
import { resolveParams } from '../../src/core/params.js';
import { createNodeRuntime } from '../../src/core/runtime/node.js';
import type { Runtime, Session } from '../../src/core/runtime/types.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { PerturbationMethod } from '../../src/core/perturbation/types.js';
import { REFERENCE_DATA_DIR } from '../helpers/reference-dir.js';

export const REF = REFERENCE_DATA_DIR;

export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function manifestFor(id: string, shape: [number, number, number], classes: number, kind: 'logits' | 'probabilities' = 'logits') {
  const [c, h, w] = shape;
  return parseManifest({
    id,
    title: id,
    task: 'classification',
    input: { name: 'input', shape: [-1, c, h, w], layout: 'NCHW' },
    output: { name: 'logits', kind },
    preprocessing: { size: [h, w], resize: 'bilinear', channels: c === 1 ? 'gray' : 'rgb', scale: 1, mean: c === 1 ? [0] : [0.485, 0.456, 0.406], std: c === 1 ? [1] : [0.229, 0.224, 0.225] },
    labels: Array.from({ length: classes }, (_, i) => `class${i}`),
    source: 'test',
    license: 'test',
  });
}

const SHAPES: Record<string, [number, number, number]> = { tinycnn: [3, 32, 32], vgglike: [3, 64, 64], fmnist_cnn: [1, 28, 28] };

let runtime: Runtime | undefined;
export function nodeRuntime(): Runtime {
  runtime ??= createNodeRuntime({ backend: 'native', threads: 2 });
  return runtime;
}

export function referenceModel(name: 'tinycnn' | 'vgglike' | 'fmnist_cnn', rt: Runtime = nodeRuntime()): LoadedModel {
  const bytes = new Uint8Array(readFileSync(join(REF, 'models', `${name}.onnx`)));
  return new LoadedModel(manifestFor(name.replace('_', '-'), SHAPES[name], 10), bytes, rt);
}

export function referenceInput(model: 'tinycnn' | 'vgglike' | 'fmnist_cnn', input: string): Tensor {
  return { data: readF32(join(REF, 'inputs', `${input}.bin`)), shape: [1, ...SHAPES[model]] };
}

/** A Session computing `fn(batch) -> scores` (count x classes) in TypeScript. */
export function fakeModel(id: string, shape: [number, number, number], classes: number, fn: (x: Float32Array, n: number) => Float32Array, kind: 'logits' | 'probabilities' = 'logits'): LoadedModel {
  const per = shape[0] * shape[1] * shape[2];
  const backend = { platform: 'node' as const, backend: 'wasm' as const, runtime: 'fake', threads: 1 };
  const session: Session = {
    inputs: [{ name: 'input', type: 'float32', dims: ['batch', ...shape] }],
    outputs: [{ name: 'logits', type: 'float32', dims: ['batch', classes] }],
    backend,
    async run(feeds) {
      const x = feeds.input;
      const n = x.shape[0];
      if (x.data.length !== n * per) throw new Error('fake model: bad input size');
      return { logits: { data: fn(x.data, n), shape: [n, classes] } };
    },
    async dispose() {},
  };
  const rt: Runtime = { platform: 'node', describe: () => backend, createSession: async () => session };
  return new LoadedModel(manifestFor(id, shape, classes, kind), new Uint8Array(0), rt);
}

export function request(model: LoadedModel, input: Tensor, method: PerturbationMethod, o: { target?: number; params?: Record<string, unknown>; seed?: number; batchSize?: number; layer?: string } = {}): ExplainRequest {
  return {
    model,
    input,
    target: o.target ?? 0,
    params: resolveParams(method.params, o.params ?? {}, method.name),
    seed: o.seed ?? 0,
    batchSize: o.batchSize ?? 16,
    ...(o.layer ? { layer: o.layer } : {}),
  };
}

/** Fisher-Yates with a fixed LCG, for shuffling partials. */
export function shuffled<T>(a: readonly T[], seed = 1): T[] {
  const out = [...a];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
