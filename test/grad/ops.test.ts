/**
 * Finite-difference checks of the exact backward rule of every op the builder covers, on tiny random graphs:
 * the gradient graph (run by onnxruntime-node and onnxruntime-web/wasm) must match central differences of
 * sum(w * y) within relative L2 1e-3. Inputs keep a margin from kinks (ReLU at 0, Clip bounds, max-pool
 * ties) larger than the step, so piecewise-linear ops are checked exactly.
 */
import { describe, expect, it } from 'vitest';
import { buildGradientGraph, GRAD_IO } from '../../src/core/grad/builder.js';
import { makeInt64Tensor, makeNode, serializeModel } from '../../src/core/onnx/model.js';
import { relativeL2 } from '../helpers/close.js';
import { finiteDifference, floatInit, randn, rng, tinyModel, type TinyGraph } from './helpers/graphs.js';
import { BACKENDS, runtimeFor } from './helpers/runtimes.js';

type Gen = 'normal' | 'margin' | 'grid' | 'positive';

interface OpCase {
  name: string;
  xShape: number[];
  graph: (r: () => number) => TinyGraph;
  gen?: Gen;
  /** Keep |x - k| >= margin for these kinks (gen 'margin'). */
  kinks?: number[];
  range?: [number, number];
}

const W = (name: string, dims: number[], r: () => number, scale = 0.5) => floatInit(name, dims, randn(dims.reduce((a, b) => a * b, 1), r, scale));
const n = makeNode;

const CASES: OpCase[] = [
  { name: 'Conv pads 1', xShape: [2, 6, 7], graph: (r) => ({ nodes: [n('Conv', ['x', 'w', 'b'], ['y'], { pads: [1, 1, 1, 1] })], inits: [W('w', [4, 2, 3, 3], r), W('b', [4], r)], out: 'y' }) },
  { name: 'Conv strides/asym pads/dilations', xShape: [3, 9, 8], graph: (r) => ({ nodes: [n('Conv', ['x', 'w'], ['y'], { strides: [2, 2], pads: [1, 0, 2, 1], dilations: [1, 2] })], inits: [W('w', [4, 3, 3, 2], r)], out: 'y' }) },
  { name: 'Conv depthwise SAME_UPPER stride 2', xShape: [4, 6, 7], graph: (r) => ({ nodes: [n('Conv', ['x', 'w'], ['y'], { group: 4, strides: [2, 2], auto_pad: 'SAME_UPPER' })], inits: [W('w', [4, 1, 3, 3], r)], out: 'y' }) },
  { name: 'Conv groups=2 SAME_LOWER', xShape: [4, 7, 7], graph: (r) => ({ nodes: [n('Conv', ['x', 'w'], ['y'], { group: 2, strides: [2, 2], auto_pad: 'SAME_LOWER', kernel_shape: [2, 2] })], inits: [W('w', [6, 2, 2, 2], r)], out: 'y' }) },
  { name: 'Conv VALID stride 3 (output_padding)', xShape: [2, 10, 9], graph: (r) => ({ nodes: [n('Conv', ['x', 'w'], ['y'], { strides: [3, 2], auto_pad: 'VALID' })], inits: [W('w', [3, 2, 2, 2], r)], out: 'y' }) },
  { name: 'Conv stride 1, 16 channels, groups 2, dilations, asym pads (flipped-Conv backward)', xShape: [16, 7, 6], graph: (r) => ({ nodes: [n('Conv', ['x', 'w', 'b'], ['y'], { group: 2, dilations: [2, 1], pads: [2, 1, 1, 0] })], inits: [W('w', [6, 8, 3, 3], r, 0.2), W('b', [6], r)], out: 'y' }) },
  { name: 'Conv 1x1 with pads 1, 8 channels (pads beyond the kernel: ConvTranspose backward)', xShape: [8, 4, 5], graph: (r) => ({ nodes: [n('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] })], inits: [W('w', [3, 8, 1, 1], r)], out: 'y' }) },
  { name: 'Conv1d', xShape: [2, 9], graph: (r) => ({ nodes: [n('Conv', ['x', 'w'], ['y'], { strides: [2], pads: [1, 1] })], inits: [W('w', [3, 2, 3], r)], out: 'y' }) },
  { name: 'Gemm transB alpha beta', xShape: [6], graph: (r) => ({ nodes: [n('Gemm', ['x', 'w', 'b'], ['y'], { transB: 1, alpha: { float: 0.7 }, beta: { float: 1.3 } })], inits: [W('w', [5, 6], r), W('b', [5], r)], out: 'y' }) },
  { name: 'Gemm no trans', xShape: [6], graph: (r) => ({ nodes: [n('Gemm', ['x', 'w'], ['y'])], inits: [W('w', [6, 4], r)], out: 'y' }) },
  { name: 'Gemm transA on a transposed input', xShape: [6], graph: (r) => ({ nodes: [n('Transpose', ['x'], ['xt'], { perm: [1, 0] }), n('Gemm', ['xt', 'w'], ['y'], { transA: 1, transB: 1 })], inits: [W('w', [4, 6], r)], out: 'y' }) },
  { name: 'MatMul batched x weight', xShape: [3, 4], graph: (r) => ({ nodes: [n('MatMul', ['x', 'w'], ['y'])], inits: [W('w', [4, 5], r)], out: 'y' }) },
  { name: 'MatMul x x^T (both operands)', xShape: [3, 4], graph: () => ({ nodes: [n('Transpose', ['x'], ['xt'], { perm: [0, 2, 1] }), n('MatMul', ['x', 'xt'], ['y'])], out: 'y' }) },
  { name: 'Add broadcast + reuse (accumulation)', xShape: [3, 4, 5], graph: (r) => ({ nodes: [n('Mul', ['x', 'c'], ['t']), n('Add', ['x', 't'], ['u']), n('Add', ['u', 'b'], ['y'])], inits: [W('c', [4, 1], r), W('b', [3, 1, 1], r)], out: 'y' }) },
  { name: 'Mul broadcast to x', xShape: [3, 1, 5], graph: (r) => ({ nodes: [n('Mul', ['x', 'c'], ['y'])], inits: [W('c', [3, 4, 1], r)], out: 'y' }) },
  { name: 'Sub both sides', xShape: [2, 5], graph: (r) => ({ nodes: [n('Sub', ['c', 'x'], ['t']), n('Sub', ['t', 'x'], ['y'])], inits: [W('c', [5], r)], out: 'y' }) },
  { name: 'Div numerator and denominator', xShape: [2, 5], gen: 'positive', graph: (r) => ({ nodes: [n('Div', ['x', 'c'], ['t']), n('Div', ['c', 'x'], ['u']), n('Add', ['t', 'u'], ['y'])], inits: [W('c', [5], r)], out: 'y' }) },
  { name: 'Relu', xShape: [3, 4, 4], gen: 'margin', kinks: [0], graph: () => ({ nodes: [n('Relu', ['x'], ['y'])], out: 'y' }) },
  { name: 'LeakyRelu', xShape: [3, 4, 4], gen: 'margin', kinks: [0], graph: () => ({ nodes: [n('LeakyRelu', ['x'], ['y'], { alpha: { float: 0.1 } })], out: 'y' }) },
  { name: 'Clip (ReLU6)', xShape: [3, 4, 4], gen: 'margin', kinks: [0, 6], range: [-2, 8], graph: () => ({ nodes: [n('Clip', ['x', 'lo', 'hi'], ['y'])], inits: [floatInit('lo', [], [0]), floatInit('hi', [], [6])], out: 'y' }) },
  { name: 'Clip opset 11 max only', xShape: [12], gen: 'margin', kinks: [1], range: [-2, 3], graph: () => ({ nodes: [n('Clip', ['x', '', 'hi'], ['y'])], inits: [floatInit('hi', [], [1])], out: 'y', opset: 11 }) },
  { name: 'Sigmoid', xShape: [3, 5], graph: () => ({ nodes: [n('Sigmoid', ['x'], ['y'])], out: 'y' }) },
  { name: 'Tanh', xShape: [3, 5], graph: () => ({ nodes: [n('Tanh', ['x'], ['y'])], out: 'y' }) },
  { name: 'HardSigmoid', xShape: [3, 5], gen: 'margin', kinks: [-4 / 3, 2], range: [-3, 3], graph: () => ({ nodes: [n('HardSigmoid', ['x'], ['y'], { alpha: { float: 0.3 }, beta: { float: 0.4 } })], out: 'y' }) },
  { name: 'HardSwish', xShape: [3, 5], gen: 'margin', kinks: [-3, 3], range: [-5, 5], graph: () => ({ nodes: [n('HardSwish', ['x'], ['y'])], out: 'y', opset: 14 }) },
  { name: 'MaxPool 2x2/2', xShape: [2, 6, 6], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2] })], out: 'y' }) },
  { name: 'MaxPool 3x3/2 pads 1 (overlapping)', xShape: [2, 7, 7], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })], out: 'y' }) },
  { name: 'MaxPool 3x3/2 ceil_mode', xShape: [2, 8, 8], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })], out: 'y' }) },
  { name: 'MaxPool dilations + pads', xShape: [1, 7, 6], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [2, 3], strides: [1, 2], dilations: [2, 1], pads: [1, 0, 1, 1] })], out: 'y' }) },
  { name: 'MaxPool SAME_UPPER 3x3/2', xShape: [2, 7, 6], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' })], out: 'y' }) },
  { name: 'MaxPool 2x2/2 odd size (last row/col dropped)', xShape: [2, 7, 5], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2] })], out: 'y' }) },
  { name: 'MaxPool 2x3/2x3 pads + ceil_mode (non-overlapping)', xShape: [2, 7, 8], gen: 'grid', graph: () => ({ nodes: [n('MaxPool', ['x'], ['y'], { kernel_shape: [2, 3], strides: [2, 3], pads: [1, 0, 0, 1], ceil_mode: 1 })], out: 'y' }) },
  { name: 'AveragePool 3x3/2 pads exclude', xShape: [2, 7, 7], graph: () => ({ nodes: [n('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })], out: 'y' }) },
  { name: 'AveragePool include pad', xShape: [2, 7, 7], graph: () => ({ nodes: [n('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })], out: 'y' }) },
  { name: 'AveragePool ceil_mode', xShape: [2, 8, 8], graph: () => ({ nodes: [n('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })], out: 'y' }) },
  { name: 'GlobalAveragePool', xShape: [3, 4, 5], graph: () => ({ nodes: [n('GlobalAveragePool', ['x'], ['y'])], out: 'y' }) },
  {
    name: 'BatchNormalization',
    xShape: [3, 4, 4],
    graph: (r) => ({
      nodes: [n('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'], { epsilon: { float: 1e-3 } })],
      inits: [W('s', [3], r), W('b', [3], r), W('m', [3], r), floatInit('v', [3], [0.5, 1.5, 2])],
      out: 'y',
    }),
  },
  { name: 'Concat', xShape: [2, 3, 3], graph: (r) => ({ nodes: [n('Mul', ['x', 'c'], ['t']), n('Concat', ['t', 'x', 'x'], ['y'], { axis: 1 })], inits: [W('c', [1], r)], out: 'y' }) },
  { name: 'Flatten + Gemm', xShape: [2, 3, 2], graph: (r) => ({ nodes: [n('Flatten', ['x'], ['f']), n('Gemm', ['f', 'w'], ['y'], { transB: 1 })], inits: [W('w', [4, 12], r)], out: 'y' }) },
  { name: 'Reshape [0,-1] + Squeeze/Unsqueeze', xShape: [2, 3, 2], graph: (r) => ({ nodes: [n('Reshape', ['x', 'shp'], ['f']), n('Unsqueeze', ['f', 'ax'], ['u']), n('Mul', ['u', 'c'], ['m']), n('Squeeze', ['m', 'ax'], ['y'])], inits: [makeInt64Tensor('shp', [2], [0, -1]), makeInt64Tensor('ax', [1], [2]), W('c', [12, 1], r)], out: 'y' }) },
  { name: 'Transpose', xShape: [2, 3, 4], graph: (r) => ({ nodes: [n('Transpose', ['x'], ['t'], { perm: [0, 2, 3, 1] }), n('Mul', ['t', 'c'], ['y'])], inits: [W('c', [2], r)], out: 'y' }) },
  { name: 'Pad', xShape: [2, 3, 3], graph: () => ({ nodes: [n('Pad', ['x', 'p', 'v'], ['y'])], inits: [makeInt64Tensor('p', [8], [0, 1, 2, 0, 0, 0, 1, 3]), floatInit('v', [], [0.5])], out: 'y' }) },
  { name: 'Dropout + Identity + Constant', xShape: [5], graph: () => ({ nodes: [n('Constant', [], ['k'], { value: floatInit('kv', [5], [1, -2, 3, 0.5, 2]) }), n('Dropout', ['x'], ['d']), n('Identity', ['d'], ['i']), n('Mul', ['i', 'k'], ['y'])], out: 'y' }) },
  { name: 'Softmax', xShape: [6], graph: () => ({ nodes: [n('Softmax', ['x'], ['y'], { axis: 1 })], out: 'y' }) },
  { name: 'LogSoftmax', xShape: [6], graph: () => ({ nodes: [n('LogSoftmax', ['x'], ['y'], { axis: -1 })], out: 'y' }) },
  { name: 'Softmax opset 11 (flattened from axis)', xShape: [2, 3], graph: () => ({ nodes: [n('Softmax', ['x'], ['y'], { axis: 1 })], out: 'y', opset: 11 }) },
];

function genInput(c: OpCase, size: number, r: () => number): Float32Array {
  const x = new Float32Array(size);
  if (c.gen === 'grid') {
    // Distinct values 0.05 apart: no max-pool ties, and steps < 0.025 never reorder a window.
    const idx = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((v, i) => (x[i] = (v - size / 2) * 0.05));
    return x;
  }
  const [lo, hi] = c.range ?? [-1.5, 1.5];
  for (let i = 0; i < size; i++) {
    let v: number;
    do v = lo + (hi - lo) * r();
    while (c.gen === 'margin' && (c.kinks ?? []).some((k) => Math.abs(v - k) < 0.1));
    x[i] = c.gen === 'positive' ? 0.5 + r() : v;
  }
  return x;
}

describe('exact gradient of every op vs finite differences', () => {
  CASES.forEach((c, ci) => {
    it(c.name, async () => {
      const r = rng(1000 + ci);
      const model = tinyModel(c.xShape, c.graph(r));
      const size = c.xShape.reduce((a, b) => a * b, 1);
      const x = genInput(c, size, r);
      const scalar = { kind: 'unit', tensor: model.graph!.output[0].name } as const;
      const built = buildGradientGraph(serializeModel(model), { scalar });
      const yShape = built.targetDims.slice(1) as number[];
      expect(yShape.every((d) => typeof d === 'number')).toBe(true);
      const w = randn(yShape.reduce((a, b) => a * b, 1), r);
      const fd = await finiteDifference(model, x, c.xShape, w, 1e-5, c.gen === 'grid' ? 1e-2 : 1e-2);
      // Max-pool graphs also in their CPU/WASM form (MaxPool Indices + MaxUnpool where windows do not overlap).
      const graphs = [built];
      if (model.graph!.node.some((m) => m.opType === 'MaxPool')) graphs.push(buildGradientGraph(serializeModel(model), { scalar, maxPoolIndices: true }));
      for (const [gi, graph] of graphs.entries()) {
        for (const backend of BACKENDS) {
          const s = await runtimeFor(backend).createSession(graph.bytes);
          try {
            const out = await s.run({ x: { data: x, shape: [1, ...c.xShape] }, [GRAD_IO.target]: { data: w, shape: [1, ...yShape] } });
            const err = relativeL2(out[GRAD_IO.inputGrad].data, fd.grad);
            expect(err, `${backend}${gi ? ' maxPoolIndices' : ''} (fd in ${fd.f64 ? 'float64' : 'float32'})`).toBeLessThanOrEqual(1e-3);
          } finally {
            await s.dispose();
          }
        }
      }
    });
  });
});
