/**
 * Backward rule of MaxPool: each window's gradient goes to the FIRST maximal element of the window in row-major
 * order (PyTorch's convention; Fashion-MNIST and post-ReLU maps have many exact ties). Three graph forms, all
 * exact, chosen by cost on the runtime (GradientGraphOptions.maxPoolIndices is on for CPU and WASM):
 *  - "prefix pools" (CPU/WASM; disjoint, unpadded windows of at most 4 elements): the first maximum is the
 *    first row-major position p whose prefix rectangle (the window's first element to p) already reaches the
 *    window maximum. The rectangles are plain MaxPools (ORT's fast NCHWc kernel), so K-1 extra pools, Equal,
 *    a Where chain and a Cast give the flat index that MaxUnpool scatters to: ~0.23 ms for a 2x2 pool on
 *    [8, 32, 28, 28] (onnxruntime-node, 1 thread), where MaxPool with an Indices output alone takes 0.3-0.5 ms
 *    (a scalar kernel, ~25x slower than the same MaxPool without Indices).
 *  - MaxPool Indices + MaxUnpool (CPU/WASM, other non-overlapping windows; ORT's indices are the first maximum).
 *  - portable (every EP, WebGPU included: Slice, Equal, Cast, Mul, Sub, Add, Concat, Reshape, ConvTranspose): per
 *    kernel offset a strided Slice is compared with the output, a running "taken" mask keeps the first match,
 *    and one depthwise ConvTranspose with one-hot kernels puts the gradients back.
 * Every form registers its scatter with the emitter (Emitter.noteScatter), so that a ReLU right before the pool
 * can apply its mask to the pooled gradient instead of the 4x larger input gradient (see rules/activation.ts).
 */
import { attrInt, DataType } from '../../onnx/model.js';
import { windowGeometry, type WindowGeometry } from '../../onnx/shapes.js';
import type { BackwardContext, Rule } from '../rule.js';
import { convTransposeBack } from './linear.js';

/** Row-major kernel offsets. */
function offsets(kernel: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const k of kernel) out = out.flatMap((o) => Array.from({ length: k }, (_, i) => [...o, i]));
  return out;
}

const LOWEST = -3.4028234663852886e38;
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Largest window (elements) the prefix-pool form takes; bigger windows need K-1 pools and Wheres each. */
const MAX_PREFIX_WINDOW = 4;

/** Windows that never overlap: every input element is in at most one window, so a scatter is an assignment. */
const disjoint = (g: WindowGeometry): boolean => g.kernel.every((k, i) => g.dilations[i] === 1 && g.strides[i] >= k);

/**
 * Disjoint, unpadded windows that lie inside the input (every window position is a valid MaxUnpool target),
 * small enough for the prefix-pool form, on images whose flat offsets float32 holds exactly.
 */
function prefixPoolable(g: WindowGeometry): boolean {
  return (
    disjoint(g) &&
    prod(g.kernel) <= MAX_PREFIX_WINDOW &&
    prod(g.inSpatial) <= 2 ** 24 &&
    g.padsBegin.every((p) => p === 0) &&
    g.outSpatial.every((o, i) => (o - 1) * g.strides[i] + g.kernel[i] <= g.inSpatial[i])
  );
}

/**
 * Flat int64 index into x (as MaxPool's Indices output, storage_order 0) of each window's first maximum.
 * The rectangle from a window's first element to its row-major position p holds only p and positions before
 * p, so once no earlier position is a maximum, the rectangle's max equals the window's max y exactly when p is
 * one: the first p with Equal(MaxPool over that rectangle, y) is the first maximum; the last p needs no test.
 */
function firstMaxIndex(ctx: BackwardContext, x: string, y: string, geo: WindowGeometry, channels: number): string {
  const e = ctx.emit;
  const r = geo.kernel.length;
  const inStride = geo.inSpatial.map((_, i) => prod(geo.inSpatial.slice(i + 1)));
  const outDims = [1, 1, ...geo.outSpatial];
  // Flat offset of each window's first element within one channel image.
  const corner = new Array<number>(prod(geo.outSpatial)).fill(0);
  for (let f = 0; f < corner.length; f++) {
    let rest = f;
    for (let i = r - 1; i >= 0; i--) {
      corner[f] += (rest % geo.outSpatial[i]) * geo.strides[i] * inStride[i];
      rest = Math.floor(rest / geo.outSpatial[i]);
    }
  }
  // Offsets within an image are exact in float32 (< 2^24); float Where runs about twice as fast as int64 Where.
  const at = (p: readonly number[]): string => {
    const d = p.reduce((s, pi, i) => s + pi * inStride[i], 0);
    return e.constF(corner.map((c) => c + d), outDims);
  };
  const offs = offsets(geo.kernel);
  let idx = at(offs[offs.length - 1]);
  for (let k = offs.length - 2; k >= 0; k--) {
    const kernel = offs[k].map((pi) => pi + 1);
    let pooled = e.op('MaxPool', [x], { kernel_shape: kernel, strides: geo.strides });
    // A smaller rectangle can fit one more window at the end; those extra outputs are cut off.
    const size = kernel.map((kk, i) => Math.floor((geo.inSpatial[i] - kk) / geo.strides[i]) + 1);
    if (size.some((s, i) => s !== geo.outSpatial[i])) pooled = e.slice(pooled, geo.outSpatial.map(() => 0), geo.outSpatial, geo.outSpatial.map((_, i) => i + 2));
    idx = e.op('Where', [e.op('Equal', [pooled, y]), at(offs[k]), idx]);
  }
  // Plus (n * C + c) * H * W: the batch part from the runtime batch size, the channel part constant.
  const image = prod(geo.inSpatial);
  const channelBase = e.constI64(Array.from({ length: channels }, (_, c) => c * image), [1, channels, ...geo.outSpatial.map(() => 1)]);
  const rowBase = e.op('Add', [e.op('Mul', [e.batchIndex(y, ctx.shape(y)[0], r + 2), e.constI64([channels * image], [])]), channelBase]);
  return e.op('Add', [e.cast(idx, DataType.INT64), rowBase]);
}

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
    let scatter: (grad: string) => string;
    const apart = disjoint(geo);
    if (ctx.maxPoolIndices && apart) {
      const pads = [...geo.padsBegin, ...geo.padsEnd];
      // ORT's CPU/WASM MaxPool indices are the first maximum in row-major order (strict '>' scan).
      const idx = prefixPoolable(geo)
        ? firstMaxIndex(ctx, x, y, geo, channels)
        : e.opMulti('MaxPool', [x], 2, { kernel_shape: geo.kernel, strides: geo.strides, pads, ceil_mode: attrInt(n, 'ceil_mode', 0) || undefined })[1];
      // MaxUnpool infers (out - 1) * stride + kernel - pads; only other sizes need Shape(x), which would also make
      // ORT convert x out of its blocked NCHWc layout.
      const inferred = geo.outSpatial.every((o, i) => (o - 1) * geo.strides[i] + geo.kernel[i] - geo.padsBegin[i] - geo.padsEnd[i] === geo.inSpatial[i]);
      const inputs = inferred ? [idx] : [idx, e.shapeOf(x)];
      scatter = (grad) => e.op('MaxUnpool', [grad, ...inputs], { kernel_shape: geo.kernel, strides: geo.strides, pads });
    } else {
      scatter = portableScatter(ctx, x, y, geo, channels);
    }
    const dx = scatter(g);
    e.noteScatter(dx, { input: x, pooled: y, grad: g, disjoint: apart, rebuild: scatter });
    return [dx];
  },
};

/**
 * The WebGPU-safe form: claim masks per kernel offset (first match wins), then a function that scatters any
 * pooled gradient with them.
 */
function portableScatter(ctx: BackwardContext, x: string, y: string, geo: WindowGeometry, channels: number): (grad: string) => string {
  const e = ctx.emit;
  const r = geo.kernel.length;
  // Pad with the lowest float so that padding never equals a window's maximum; extra end padding makes
  // ceil_mode windows that run past the input sliceable.
  const padEnd = geo.outSpatial.map((o, i) => Math.max(geo.padsEnd[i], (o - 1) * geo.strides[i] + (geo.kernel[i] - 1) * geo.dilations[i] + 1 - geo.inSpatial[i] - geo.padsBegin[i]));
  const needPad = geo.padsBegin.some((p) => p > 0) || padEnd.some((p) => p > 0);
  const xp = needPad ? e.op('Pad', [x, e.constI64([0, 0, ...geo.padsBegin, 0, 0, ...padEnd]), e.constF([LOWEST])]) : x;
  const axes = Array.from({ length: r }, (_, i) => i + 2);
  const one = e.constF([1]);
  const claims: string[] = [];
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
    claims.push(claim);
  });
  const K = offs.length;
  const ksize = prod(geo.kernel);
  const w = new Float32Array(channels * K * ksize);
  for (let c = 0; c < channels; c++) for (let k = 0; k < K; k++) w[(c * K + k) * ksize + k] = 1;
  const weight = e.constF(w, [channels * K, 1, ...geo.kernel]);
  return (grad) => {
    const stacked = e.op('Concat', claims.map((claim) => e.unsqueeze(e.mul(grad, claim), [2])), { axis: 2 });
    const flat = e.op('Reshape', [stacked, e.constI64([0, channels * K, ...geo.outSpatial])]);
    return convTransposeBack(ctx, flat, weight, geo, channels);
  };
}
