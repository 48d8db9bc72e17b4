/**
 * Builder behaviour beyond per-op gradients: unsupported ops fail at build time naming op and node; max-pool
 * ties go to the first maximum in row-major order; built graphs use only ops ORT's WebGPU EP runs (no MaxPool
 * Indices, no ScatterElements); probability / log-probability / channel scalars match dense formulas; one
 * graph serves a batch with one target per row; inner tensors come back with their gradients; BatchNorm folds
 * as onnxruntime folds it; a ReLU before GlobalAveragePool masks the unexpanded gradient.
 */
import { describe, expect, it } from 'vitest';
import { buildGradientGraph, GRAD_IO, gradientGraphKey } from '../../src/core/grad/builder.js';
import { GUIDED } from '../../src/core/grad/composites.js';
import { makeNode, serializeModel } from '../../src/core/onnx/model.js';
import { softmax } from '../../src/core/tensor.js';
import { expectAllClose } from '../helpers/close.js';
import { floatInit, randn, rng, tinyModel } from './helpers/graphs.js';
import { camLayer, refCases, refInput, refModelBytes } from './helpers/reference.js';
import { BACKENDS, oneHot, runtimeFor } from './helpers/runtimes.js';

describe('gradient graph builder', () => {
  it('rejects unsupported ops before anything runs, naming op type and node', () => {
    const m = tinyModel([4], { nodes: [makeNode('Sin', ['x'], ['s'], {}, 'my_sin'), makeNode('Erf', ['s'], ['y'], {}, 'my_erf')], out: 'y' });
    expect(() => buildGradientGraph(serializeModel(m))).toThrow(/Sin node "my_sin".*Erf node "my_erf"/);
  });

  it('routes max-pool ties to the first maximal element of each window (row-major), also with overlap', async () => {
    // 1x1x4x4 of all equal values and a 3x3/1 overlapping pool: every window ties everywhere.
    const m = tinyModel([1, 4, 4], { nodes: [makeNode('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [1, 1] })], out: 'y' });
    const g = buildGradientGraph(serializeModel(m), { scalar: { kind: 'unit', tensor: 'y' } });
    const x = new Float32Array(16).fill(2);
    x[5] = 0; // position (1,1) is not a maximum: the first max of window (0,0) is (0,0), of (0,1) is (0,1), of (1,0) is (1,0), of (1,1) is (1,2)
    const w = Float32Array.of(1, 10, 100, 1000);
    const expected = new Float32Array(16);
    expected[0] += 1; // window (0,0) -> (0,0)
    expected[1] += 10; // window (0,1) -> (0,1)
    expected[4] += 100; // window (1,0) -> (1,0)
    expected[6] += 1000; // window (1,1) -> (1,2)
    for (const b of BACKENDS) {
      const s = await runtimeFor(b).createSession(g.bytes);
      const out = await s.run({ x: { data: x, shape: [1, 1, 4, 4] }, [GRAD_IO.target]: { data: w, shape: [1, 1, 2, 2] } });
      expectAllClose(out[GRAD_IO.inputGrad].data, expected, { atol: 0, rtol: 0 });
      await s.dispose();
    }
  });

  it('non-overlapping max-pool ties go to the first maximum in both graph forms (portable and MaxPool Indices + MaxUnpool)', async () => {
    // 1x1x4x5 all equal except a few: 2x2/2 windows (the last column is dropped by the floor).
    const m = tinyModel([1, 4, 5], { nodes: [makeNode('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2] })], out: 'y' });
    const x = new Float32Array(20).fill(1);
    x[0] = 0; // window (0,0): first max at (0,1)
    x[12] = 3; // window (1,1): (2,2) is the unique max
    const w = Float32Array.of(1, 10, 100, 1000);
    const expected = new Float32Array(20);
    expected[1] = 1;
    expected[2] = 10; // window (0,1): all tie -> (0,2)
    expected[10] = 100; // window (1,0): all tie -> (2,0)
    expected[12] = 1000;
    for (const maxPoolIndices of [false, true]) {
      const g = buildGradientGraph(serializeModel(m), { scalar: { kind: 'unit', tensor: 'y' }, maxPoolIndices });
      expect(g.model.graph!.node.some((n) => n.opType === 'MaxUnpool')).toBe(maxPoolIndices);
      for (const b of BACKENDS) {
        const s = await runtimeFor(b).createSession(g.bytes);
        const out = await s.run({ x: { data: x, shape: [1, 1, 4, 5] }, [GRAD_IO.target]: { data: w, shape: [1, 1, 2, 2] } });
        expectAllClose(out[GRAD_IO.inputGrad].data, expected, { atol: 0, rtol: 0 });
        await s.dispose();
      }
    }
  });

  it('emits only ops the WebGPU EP supports (no MaxPool Indices, no ScatterElements)', () => {
    for (const model of ['tinycnn', 'vgglike', 'fmnist_cnn']) {
      const g = buildGradientGraph(refModelBytes(model), { rules: GUIDED, tensors: [camLayer(model)] });
      const ops = new Set(g.model.graph!.node.map((n) => n.opType));
      expect(ops.has('ScatterElements') || ops.has('MaxUnpool')).toBe(false);
      for (const n of g.model.graph!.node) if (n.opType === 'MaxPool') expect(n.output.filter(Boolean).length).toBe(1);
    }
  });

  it('probability and log-probability scalars match softmax formulas; batch rows carry their own targets', async () => {
    const r = rng(5);
    const m = tinyModel([6], { nodes: [makeNode('Gemm', ['x', 'w'], ['y'], { transB: 1 })], inits: [floatInit('w', [4, 6], randn(24, r))], out: 'y' });
    const W = new Float32Array(m.graph!.initializer[0].rawData.slice().buffer);
    const x = randn(12, r);
    const targets = [1, 3];
    for (const kind of ['probability', 'log-probability'] as const) {
      const g = buildGradientGraph(serializeModel(m), { scalar: { kind } });
      const s = await runtimeFor('native').createSession(g.bytes);
      const out = await s.run({ x: { data: x, shape: [2, 6] }, [GRAD_IO.target]: { data: oneHot(targets, 4), shape: [2, 4] } });
      for (let row = 0; row < 2; row++) {
        const logits = out.y.data.subarray(row * 4, row * 4 + 4);
        const p = softmax(logits);
        const t = targets[row];
        // d/dz: probability p_t (e_t - p); log-probability e_t - p; then dx = W^T dz.
        const dz = Array.from(p, (pk, k) => (kind === 'probability' ? p[t] * ((k === t ? 1 : 0) - pk) : (k === t ? 1 : 0) - pk));
        const dx = new Float32Array(6);
        for (let k = 0; k < 4; k++) for (let i = 0; i < 6; i++) dx[i] += dz[k] * W[k * 6 + i];
        expectAllClose(out[GRAD_IO.inputGrad].data.subarray(row * 6, row * 6 + 6), dx, { atol: 1e-6, rtol: 1e-4 });
      }
      await s.dispose();
    }
  });

  it('channel scalar = mean over space of one channel; inner tensors return activation and gradient', async () => {
    const c = refCases('tinycnn')[0];
    const layer = camLayer('tinycnn');
    const g = buildGradientGraph(refModelBytes('tinycnn'), { scalar: { kind: 'channel', tensor: layer }, tensors: [layer] });
    expect(g.targetDims.slice(1)).toEqual([16]);
    const s = await runtimeFor('native').createSession(g.bytes);
    const mask = new Float32Array(16);
    mask[3] = 1;
    const out = await s.run({ input: refInput(c), [GRAD_IO.target]: { data: mask, shape: [1, 16] } });
    const grad = out[GRAD_IO.tensorGrad(layer)];
    expect(grad.shape).toEqual([1, 16, 16, 16]);
    const expected = new Float32Array(16 * 256);
    expected.fill(1 / 256, 3 * 256, 4 * 256);
    expectAllClose(grad.data, expected, { atol: 0, rtol: 1e-7 });
    expect(out[layer].shape).toEqual([1, 16, 16, 16]);
    await s.dispose();
  });

  it('folds BatchNorm exactly as onnxruntime does: the gradient graph returns the model session\'s logits bit for bit', async () => {
    const bytes = refModelBytes('vgglike');
    const g = buildGradientGraph(bytes);
    expect(g.model.graph!.node.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    for (const b of BACKENDS) {
      const plain = await runtimeFor(b).createSession(bytes);
      const grad = await runtimeFor(b).createSession(g.bytes);
      for (const c of refCases('vgglike')) {
        const want = (await plain.run({ input: refInput(c) })).logits.data;
        const got = (await grad.run({ input: refInput(c), [GRAD_IO.target]: { data: oneHot([c.target], 10), shape: [1, 10] } })).logits.data;
        expectAllClose(got, want, { atol: 0, rtol: 0 });
      }
      await plain.dispose();
      await grad.dispose();
    }
  });

  it('a ReLU before GlobalAveragePool masks the small gradient by broadcasting (no Expand), exactly', async () => {
    const m = tinyModel([3, 4, 5], { nodes: [makeNode('Relu', ['x'], ['a']), makeNode('GlobalAveragePool', ['a'], ['y'])], out: 'y' });
    const g = buildGradientGraph(serializeModel(m), { scalar: { kind: 'unit', tensor: 'y' } });
    expect(g.model.graph!.node.some((n) => n.opType === 'Expand')).toBe(false);
    const r = rng(8);
    const x = randn(2 * 60, r);
    const w = randn(2 * 3, r);
    const expected = x.map((v, i) => (v > 0 ? w[Math.floor(i / 20)] / 20 : 0));
    for (const b of BACKENDS) {
      const s = await runtimeFor(b).createSession(g.bytes);
      const out = await s.run({ x: { data: x, shape: [2, 3, 4, 5] }, [GRAD_IO.target]: { data: w, shape: [2, 3, 1, 1] } });
      expectAllClose(out[GRAD_IO.inputGrad].data, expected, { atol: 1e-7, rtol: 1e-6 });
      await s.dispose();
    }
  });

  it('cache keys separate rule sets, scalars and requested tensors', () => {
    const keys = new Set([
      gradientGraphKey(),
      gradientGraphKey({ rules: GUIDED }),
      gradientGraphKey({ scalar: { kind: 'probability' } }),
      gradientGraphKey({ tensors: ['a'] }),
      gradientGraphKey({ tensors: ['a'], inputGradient: false }),
      gradientGraphKey({ maxPoolIndices: true }),
    ]);
    expect(keys.size).toBe(6);
  });
});
