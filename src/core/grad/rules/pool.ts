/**
 * Backward rules of pooling. MaxPool routes each window's gradient to the FIRST maximal element of the window
 * in row-major order (PyTorch's convention; Fashion-MNIST and post-ReLU maps have many exact ties) without
 * MaxPool's Indices output, which onnxruntime-web's WebGPU EP lacks: for each kernel offset k, a strided
 * Slice of the (padded) input is compared with the pooled output (Equal); a running "already taken" mask
 * keeps only the first match; the masked gradients, stacked as K channels per input channel, go back to their
 * positions through one depthwise ConvTranspose with one-hot kernels. Only Slice, Equal, Cast, Mul, Sub, Add,
 * Concat, Reshape and ConvTranspose are used: all run on ORT's CPU, WASM and WebGPU EPs.
 * With GradientGraphOptions.maxPoolIndices (CPU and WASM only), non-overlapping pools use MaxPool's Indices
 * output and MaxUnpool instead, about 40% cheaper there (strided Slices are slow on those EPs).
 * AveragePool scatters g / window-count with an all-ones depthwise ConvTranspose; GlobalAveragePool expands.
 */
import { attrInt } from '../../onnx/model.js';
import { windowGeometry } from '../../onnx/shapes.js';
import type { BackwardContext, Rule } from '../rule.js';
import { convTransposeBack } from './linear.js';

/** Row-major kernel offsets. */
function offsets(kernel: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const k of kernel) out = out.flatMap((o) => Array.from({ length: k }, (_, i) => [...o, i]));
  return out;
}

const LOWEST = -3.4028234663852886e38;

export const maxPoolRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const n = ctx.node;
    const x = n.input[0];
    const y = n.output[0];
    const g = ctx.gradOutputs[0];
    if (!g) return [undefined];
    const xs = ctx.shape(x);
    const channels = xs[1];
    if (typeof channels !== 'number') return ctx.fail('needs a static channel count');
    if (attrInt(n, 'storage_order', 0) !== 0) ctx.fail('storage_order=1 is not supported');
    const geo = windowGeometry(n, xs);
    const r = geo.kernel.length;
    if (ctx.maxPoolIndices && geo.kernel.every((k, i) => geo.dilations[i] === 1 && geo.strides[i] >= k)) {
      // Non-overlapping windows: every input element wins at most one window, so MaxUnpool's assignment is the
      // sum. ORT's CPU/WASM MaxPool indices are the first maximum in row-major order (strict '>' scan).
      const [, idx] = e.opMulti('MaxPool', [x], 2, { kernel_shape: geo.kernel, strides: geo.strides, pads: [...geo.padsBegin, ...geo.padsEnd], ceil_mode: attrInt(n, 'ceil_mode', 0) || undefined });
      return [e.op('MaxUnpool', [g, idx, e.shapeOf(x)], { kernel_shape: geo.kernel, strides: geo.strides, pads: [...geo.padsBegin, ...geo.padsEnd] })];
    }
    // Pad with the lowest float so that padding never equals a window's maximum; extra end padding makes
    // ceil_mode windows that run past the input sliceable.
    const padEnd = geo.outSpatial.map((o, i) => Math.max(geo.padsEnd[i], (o - 1) * geo.strides[i] + (geo.kernel[i] - 1) * geo.dilations[i] + 1 - geo.inSpatial[i] - geo.padsBegin[i]));
    const needPad = geo.padsBegin.some((p) => p > 0) || padEnd.some((p) => p > 0);
    const xp = needPad ? e.op('Pad', [x, e.constI64([0, 0, ...geo.padsBegin, 0, 0, ...padEnd]), e.constF([LOWEST])]) : x;
    const axes = Array.from({ length: r }, (_, i) => i + 2);
    const one = e.constF([1]);
    const parts: string[] = [];
    let taken: string | undefined;
    const offs = offsets(geo.kernel);
    offs.forEach((k, idx) => {
      const starts = k.map((ki, i) => ki * geo.dilations[i]);
      const ends = starts.map((s, i) => s + (geo.outSpatial[i] - 1) * geo.strides[i] + 1);
      const win = e.slice(xp, starts, ends, axes, geo.strides);
      const hit = e.cast(e.op('Equal', [win, y]));
      let claim = hit;
      if (taken) claim = e.mul(hit, e.sub(one, taken));
      if (idx < offs.length - 1) taken = taken ? e.add(taken, claim) : claim;
      parts.push(e.unsqueeze(e.mul(g, claim), [2]));
    });
    const K = offs.length;
    const stacked = e.op('Concat', parts, { axis: 2 });
    const flat = e.op('Reshape', [stacked, e.constI64([0, channels * K, ...geo.outSpatial])]);
    const ksize = geo.kernel.reduce((a, b) => a * b, 1);
    const w = new Float32Array(channels * K * ksize);
    for (let c = 0; c < channels; c++) for (let k = 0; k < K; k++) w[(c * K + k) * ksize + k] = 1;
    const weight = e.constF(w, [channels * K, 1, ...geo.kernel]);
    return [convTransposeBack(ctx, flat, weight, geo, channels)];
  },
};

/** Number of window positions of output index o that count in the average, along one dim. */
function windowCount(o: number, i: number, geo: ReturnType<typeof windowGeometry>, includePad: boolean): number {
  const start = o * geo.strides[i] - geo.padsBegin[i];
  const lo = includePad ? -geo.padsBegin[i] : 0;
  const hi = includePad ? geo.inSpatial[i] + geo.padsEnd[i] : geo.inSpatial[i];
  let c = 0;
  for (let t = 0; t < geo.kernel[i]; t++) {
    const p = start + t * geo.dilations[i];
    if (p >= lo && p < hi) c++;
  }
  return c;
}

export const averagePoolRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const n = ctx.node;
    const xs = ctx.shape(n.input[0]);
    const channels = xs[1];
    if (typeof channels !== 'number') return ctx.fail('needs a static channel count');
    const geo = windowGeometry(n, xs);
    const includePad = attrInt(n, 'count_include_pad', 0) === 1;
    // 1 / count per output position: a separable product over the spatial dims.
    const outN = geo.outSpatial.reduce((a, b) => a * b, 1);
    const inv = new Float32Array(outN);
    for (let f = 0; f < outN; f++) {
      let rest = f;
      let count = 1;
      for (let i = geo.outSpatial.length - 1; i >= 0; i--) {
        const o = rest % geo.outSpatial[i];
        rest = Math.floor(rest / geo.outSpatial[i]);
        count *= windowCount(o, i, geo, includePad);
      }
      inv[f] = count > 0 ? 1 / count : 0;
    }
    const scaled = e.mul(ctx.gradOutputs[0]!, e.constF(inv, [1, 1, ...geo.outSpatial]));
    const ksize = geo.kernel.reduce((a, b) => a * b, 1);
    const weight = e.constF(new Float32Array(channels * ksize).fill(1), [channels, 1, ...geo.kernel]);
    return [convTransposeBack(ctx, scaled, weight, geo, channels)];
  },
};

export const globalAveragePoolRule: Rule = {
  name: 'gradient',
  backward(ctx: BackwardContext) {
    const x = ctx.node.input[0];
    const spatial = ctx.staticShape(x, 2);
    const count = spatial.reduce((a, b) => a * b, 1);
    const e = ctx.emit;
    return [e.mul(e.op('Expand', [ctx.gradOutputs[0]!, e.shapeOf(x)]), e.constF([1 / count]))];
  },
};
