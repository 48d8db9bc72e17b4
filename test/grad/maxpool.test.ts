/**
 * Max-pool backward in every graph form against a dense re-implementation of PyTorch's rule (each window's
 * gradient goes to its first maximum in row-major order): inputs full of exact ties (quantised values, zero
 * windows after a ReLU), a batch of 3 (the CPU/WASM forms compute flat MaxUnpool indices per batch row),
 * windows that tile the input, leave a remainder, have gaps, are 1-D or 3-D, and a ReLU before the pool whose
 * mask moves onto the pooled gradient. Results must be exact (atol 0) on onnxruntime-node and -web (wasm).
 */
import { describe, expect, it } from 'vitest';
import { buildGradientGraph, GRAD_IO, type GradientGraph } from '../../src/core/grad/builder.js';
import { GUIDED } from '../../src/core/grad/composites.js';
import { DataType, makeNode, makeValueInfo, serializeModel, type NodeProto } from '../../src/core/onnx/model.js';
import { expectAllClose } from '../helpers/close.js';
import { randn, rng, tinyModel } from './helpers/graphs.js';
import { BACKENDS, runtimeFor } from './helpers/runtimes.js';

interface PoolCase {
  name: string;
  /** [C, ...spatial] */
  xShape: number[];
  kernel: number[];
  strides: number[];
  /** Op types the CPU/WASM form must (+) or must not (-) contain. */
  expectOps?: string[];
}

const CASES: PoolCase[] = [
  { name: '2x2/2 tiling the input (prefix pools)', xShape: [3, 6, 8], kernel: [2, 2], strides: [2, 2], expectOps: ['+Equal', '-Indices'] },
  { name: '2x2/2 with a remainder row and column', xShape: [2, 7, 5], kernel: [2, 2], strides: [2, 2], expectOps: ['+Slice', '-Indices'] },
  { name: '1x2/1x2', xShape: [2, 3, 6], kernel: [1, 2], strides: [1, 2] },
  { name: '2x1/2x1', xShape: [2, 6, 3], kernel: [2, 1], strides: [2, 1] },
  { name: '2x2/3 (gaps between windows)', xShape: [2, 8, 8], kernel: [2, 2], strides: [3, 3] },
  { name: '1-D 3/3', xShape: [2, 10], kernel: [3], strides: [3] },
  { name: '3-D 1x2x2', xShape: [2, 2, 4, 4], kernel: [1, 2, 2], strides: [1, 2, 2] },
  { name: '2x3/2x3 (6-element windows: MaxPool Indices)', xShape: [2, 4, 6], kernel: [2, 3], strides: [2, 3], expectOps: ['+Indices'] },
  { name: '3x3/2 overlapping (portable form only)', xShape: [2, 7, 7], kernel: [3, 3], strides: [2, 2] },
];

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Row-major multi-index of flat index f in dims. */
function unflat(f: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    out[i] = f % dims[i];
    f = Math.floor(f / dims[i]);
  }
  return out;
}

/** Dense max-pool backward: each window's gradient to its first maximum (row-major), summed over windows. */
function denseMaxPoolGrad(x: Float32Array, g: Float32Array, n: number, c: PoolCase): Float32Array {
  const [channels, ...spatial] = c.xShape;
  const out = spatial.map((s, i) => Math.floor((s - c.kernel[i]) / c.strides[i]) + 1);
  const image = prod(spatial);
  const dx = new Float32Array(x.length);
  for (let row = 0; row < n * channels; row++) {
    for (let o = 0; o < prod(out); o++) {
      const oi = unflat(o, out);
      let best = -Infinity;
      let at = -1;
      for (let k = 0; k < prod(c.kernel); k++) {
        const ki = unflat(k, c.kernel);
        const flat = oi.reduce((s, v, i) => s * spatial[i] + v * c.strides[i] + ki[i], 0);
        const v = x[row * image + flat];
        if (v > best) {
          best = v;
          at = flat;
        }
      }
      dx[row * image + at] += g[row * prod(out) + o];
    }
  }
  return dx;
}

/** Values on a coarse grid with many exact ties; about a third negative (zero after a ReLU). */
function tiedInput(size: number, r: () => number): Float32Array {
  return Float32Array.from({ length: size }, () => Math.round((r() - 0.35) * 4) / 2);
}

function pool(c: PoolCase, input: string): NodeProto {
  return makeNode('MaxPool', [input], ['y'], { kernel_shape: c.kernel, strides: c.strides });
}

async function run(graph: GradientGraph, backend: (typeof BACKENDS)[number], x: Float32Array, n: number, c: PoolCase, w: Float32Array, output: string = GRAD_IO.inputGrad) {
  const s = await runtimeFor(backend).createSession(graph.bytes);
  try {
    const yShape = graph.targetDims.slice(1) as number[];
    const out = await s.run({ x: { data: x, shape: [n, ...c.xShape] }, [GRAD_IO.target]: { data: w, shape: [n, ...yShape] } });
    return out[output].data;
  } finally {
    await s.dispose();
  }
}

function checkOps(graph: GradientGraph, c: PoolCase): void {
  const nodes = graph.model.graph!.node;
  for (const want of c.expectOps ?? []) {
    const present = want.slice(1) === 'Indices' ? nodes.some((m) => m.opType === 'MaxPool' && m.output.filter(Boolean).length === 2) : nodes.some((m) => m.opType === want.slice(1));
    expect(present, `${c.name}: ${want}`).toBe(want[0] === '+');
  }
}

describe('max-pool backward: first maximum of every window, every graph form', () => {
  const N = 3;
  for (const [ci, c] of CASES.entries()) {
    it(c.name, async () => {
      const r = rng(77 + ci);
      const x = tiedInput(N * prod(c.xShape), r);
      const model = tinyModel(c.xShape, { nodes: [pool(c, 'x')], out: 'y' });
      const forms = [false, true].map((maxPoolIndices) => buildGradientGraph(serializeModel(model), { scalar: { kind: 'unit', tensor: 'y' }, maxPoolIndices }));
      checkOps(forms[1], c);
      const w = randn(N * prod(forms[0].targetDims.slice(1) as number[]), r);
      const expected = denseMaxPoolGrad(x, w, N, c);
      // Overlapping windows have no MaxUnpool form: both builds are the portable one.
      expect(forms[1].model.graph!.node.some((m) => m.opType === 'MaxUnpool')).toBe(c.strides.every((s, i) => s >= c.kernel[i]));
      for (const graph of forms) {
        for (const backend of BACKENDS) expectAllClose(await run(graph, backend, x, N, c, w), expected, { atol: 0, rtol: 0 });
      }
    });
  }

  it('a static batch size gives constant batch offsets (no Range), same result', async () => {
    const c = CASES[0];
    const r = rng(3);
    const x = tiedInput(N * prod(c.xShape), r);
    const model = tinyModel(c.xShape, { nodes: [pool(c, 'x')], out: 'y' });
    model.graph!.input[0] = makeValueInfo('x', DataType.FLOAT, [N, ...c.xShape]);
    const graph = buildGradientGraph(serializeModel(model), { scalar: { kind: 'unit', tensor: 'y' }, maxPoolIndices: true });
    expect(graph.model.graph!.node.some((m) => m.opType === 'Range')).toBe(false);
    const w = randn(N * prod(graph.targetDims.slice(1) as number[]), r);
    for (const backend of BACKENDS) expectAllClose(await run(graph, backend, x, N, c, w), denseMaxPoolGrad(x, w, N, c), { atol: 0, rtol: 0 });
  });

  it('a ReLU before the pool masks the pooled gradient, exactly (zero windows get no gradient), also guided', async () => {
    const c = CASES[1];
    const r = rng(5);
    const x = tiedInput(N * prod(c.xShape), r);
    const model = tinyModel(c.xShape, { nodes: [makeNode('Relu', ['x'], ['a']), pool(c, 'a')], out: 'y' });
    const relu = Float32Array.from(x, (v) => Math.max(v, 0));
    for (const guided of [false, true]) {
      for (const maxPoolIndices of [false, true]) {
        const graph = buildGradientGraph(serializeModel(model), { scalar: { kind: 'unit', tensor: 'y' }, maxPoolIndices, rules: guided ? GUIDED : undefined });
        // The mask is taken from the pooled output, not from the (4x larger) ReLU output.
        const greater = graph.model.graph!.node.filter((m) => m.opType === 'Greater');
        expect(greater.map((m) => m.input[0])).toEqual(['y']);
        const w = randn(N * prod(graph.targetDims.slice(1) as number[]), r);
        const routed = denseMaxPoolGrad(relu, w, N, c);
        const expected = routed.map((v, i) => (x[i] > 0 ? (guided ? Math.max(v, 0) : v) : 0));
        expect(expected.some((v, i) => v === 0 && routed[i] !== 0)).toBe(true);
        for (const backend of BACKENDS) expectAllClose(await run(graph, backend, x, N, c, w), expected, { atol: 0, rtol: 0 });
      }
    }
  });

  it('the gradient of a requested ReLU output before a pool stays unmasked', async () => {
    const c = CASES[0];
    const r = rng(9);
    const x = tiedInput(N * prod(c.xShape), r);
    const model = tinyModel(c.xShape, { nodes: [makeNode('Relu', ['x'], ['a']), pool(c, 'a')], out: 'y' });
    const graph = buildGradientGraph(serializeModel(model), { scalar: { kind: 'unit', tensor: 'y' }, maxPoolIndices: true, tensors: ['a'] });
    const w = randn(N * prod(graph.targetDims.slice(1) as number[]), r);
    const routed = denseMaxPoolGrad(Float32Array.from(x, (v) => Math.max(v, 0)), w, N, c);
    for (const backend of BACKENDS) {
      expectAllClose(await run(graph, backend, x, N, c, w, GRAD_IO.tensorGrad('a')), routed, { atol: 0, rtol: 0 });
      expectAllClose(await run(graph, backend, x, N, c, w), routed.map((v, i) => (x[i] > 0 ? v : 0)), { atol: 0, rtol: 0 });
    }
  });
});
