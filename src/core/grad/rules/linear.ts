/**
 * Exact backward rules of the linear layers: Conv (input gradient as ConvTranspose with the same weights,
 * strides, dilations, groups and pads, output_padding restoring the input size, or, for stride-1 convs, as a
 * Conv with flipped, transposed weights), Gemm, MatMul and
 * BatchNormalization in inference mode (a per-channel scale).
 */
import { attrFloat, attrInt } from '../../onnx/model.js';
import { windowGeometry } from '../../onnx/shapes.js';
import type { BackwardContext, Rule } from '../rule.js';
import { unbroadcast } from './elementwise.js';

/**
 * ConvTranspose that scatters `g` (shaped like a windowed op's output) back onto its input of spatial size
 * geo.inSpatial. Windows that run past the end padding (ceil_mode) get extra end padding, which crops them.
 */
export function convTransposeBack(ctx: BackwardContext, g: string, weight: string, geo: ReturnType<typeof windowGeometry>, group: number): string {
  const r = geo.kernel.length;
  const padsEnd: number[] = [];
  const outPad: number[] = [];
  for (let i = 0; i < r; i++) {
    const reach = (geo.outSpatial[i] - 1) * geo.strides[i] + (geo.kernel[i] - 1) * geo.dilations[i] + 1;
    const covered = geo.inSpatial[i] + geo.padsBegin[i] + geo.padsEnd[i];
    const extra = Math.max(0, reach - covered);
    padsEnd.push(geo.padsEnd[i] + extra);
    outPad.push(covered + extra - reach);
  }
  // output_padding must stay below the stride; rows beyond that (no window reaches them) are zero-padded.
  const tail = outPad.map((p, i) => (p >= geo.strides[i] ? p : 0));
  const op = outPad.map((p, i) => (p >= geo.strides[i] ? 0 : p));
  let out = ctx.emit.op('ConvTranspose', [g, weight], {
    strides: geo.strides,
    dilations: geo.dilations,
    group,
    pads: [...geo.padsBegin, ...padsEnd],
    output_padding: op.some((p) => p > 0) ? op : undefined,
    kernel_shape: geo.kernel,
  });
  if (tail.some((p) => p > 0)) out = ctx.emit.op('Pad', [out, ctx.emit.constI64([0, 0, ...tail.map(() => 0), 0, 0, ...tail])]);
  return out;
}

/**
 * The weights of the Conv whose forward pass is the input gradient of a stride-1 Conv with weights `w`
 * [Co, Ci/g, k...]: per group, input and output channels swapped and every spatial axis reversed, giving
 * [Ci, Co/g, k...].
 */
export function flippedTransposedWeights(w: { dims: readonly number[]; values: ArrayLike<number> }, group: number): { dims: number[]; values: Float32Array } {
  const [co, cig, ...k] = w.dims;
  const cog = co / group;
  const ks = k.reduce((a, b) => a * b, 1);
  const out = new Float32Array(w.values.length);
  // Reversing every spatial axis of a row-major kernel reverses its flat index.
  for (let gi = 0; gi < group; gi++) {
    for (let o = 0; o < cog; o++) {
      for (let i = 0; i < cig; i++) {
        const src = ((gi * cog + o) * cig + i) * ks;
        const dst = ((gi * cig + i) * cog + o) * ks;
        for (let t = 0; t < ks; t++) out[dst + ks - 1 - t] = w.values[src + t];
      }
    }
  }
  return { dims: [cig * group, cog, ...k], values: out };
}

/** Below this many input channels per group, ConvTranspose beats the equivalent Conv (measured, see convRule). */
const MIN_CHANNELS_FOR_CONV = 8;

/**
 * Input gradient of a Conv node for output gradient `g`, with the node's weights or, for LRP rules, modified
 * weights of the same shape (`weight` names the tensor; `values` its constant values when known).
 * Stride-1 convs with constant weights and at least MIN_CHANNELS_FOR_CONV input channels per group emit the
 * equivalent plain Conv of g with flipped, transposed weights (precomputed here) and pads (k-1)d - p: on
 * onnxruntime-node a 32->64 3x3 conv's input gradient takes ~500 us as Conv (NCHWc kernels) vs ~800 us as
 * ConvTranspose (GEMM + col2im). With 1-3 input channels (the first layer) the Conv has 1-3 output channels and
 * is several times slower than ConvTranspose, so those keep ConvTranspose.
 */
export function convInputGrad(ctx: BackwardContext, g: string, weight: string, values?: { dims: readonly number[]; values: ArrayLike<number> }): string {
  const [x] = ctx.node.input;
  const geo = windowGeometry(ctx.node, ctx.shape(x), ctx.shape(ctx.node.input[1]));
  const group = attrInt(ctx.node, 'group', 1);
  const ext = geo.kernel.map((k, i) => (k - 1) * geo.dilations[i]);
  const pads = [...ext.map((e, i) => e - geo.padsBegin[i]), ...ext.map((e, i) => e - geo.padsEnd[i])];
  const wc = geo.strides.every((s) => s === 1) && pads.every((p) => p >= 0) ? (values ?? ctx.graph.constValue(weight)) : undefined;
  if (wc && wc.dims.length === geo.kernel.length + 2 && wc.dims[1] >= MIN_CHANNELS_FOR_CONV) {
    const f = flippedTransposedWeights(wc, group);
    return ctx.emit.op('Conv', [g, ctx.emit.constF(f.values, f.dims)], { dilations: geo.dilations, group, pads, kernel_shape: geo.kernel });
  }
  return convTransposeBack(ctx, g, weight, geo, group);
}

/** Conv: dx = ConvTranspose(dy, W), or the equivalent Conv (see convInputGrad). Weights must not depend on the input. */
export const convRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    if (ctx.needsGrad[1] || ctx.needsGrad[2]) ctx.fail('weights or bias that depend on the input are not supported');
    return [convInputGrad(ctx, ctx.gradOutputs[0]!, ctx.node.input[1])];
  },
};

/** Gradient of a Gemm node's A input for output gradient `g`, with B (the node's, or modified weights for LRP). */
export function gemmInputGrad(ctx: BackwardContext, g: string, b: string): string {
  const e = ctx.emit;
  const n = ctx.node;
  const tA = attrInt(n, 'transA', 0);
  const tB = attrInt(n, 'transB', 0);
  const alpha = attrFloat(n, 'alpha', 1);
  return tA ? e.op('Gemm', [b, g], { transA: tB, transB: 1, alpha: { float: alpha } }) : e.op('Gemm', [g, b], { transB: tB ? 0 : 1, alpha: { float: alpha } });
}

/** Gemm y = alpha op(A) op(B) + beta C. */
export const gemmRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const n = ctx.node;
    const g = ctx.gradOutputs[0]!;
    const [a, b, c] = n.input;
    const tA = attrInt(n, 'transA', 0);
    const tB = attrInt(n, 'transB', 0);
    const alpha = attrFloat(n, 'alpha', 1);
    const beta = attrFloat(n, 'beta', 1);
    let ga: string | undefined;
    let gb: string | undefined;
    let gc: string | undefined;
    if (ctx.needsGrad[0]) ga = gemmInputGrad(ctx, g, b);
    if (ctx.needsGrad[1]) {
      gb = tB ? e.op('Gemm', [g, a], { transA: 1, transB: tA, alpha: { float: alpha } }) : e.op('Gemm', [a, g], { transA: tA ? 0 : 1, alpha: { float: alpha } });
    }
    if (c && ctx.needsGrad[2]) gc = unbroadcast(ctx, beta === 1 ? g : e.mul(g, e.constF([beta])), c);
    return [ga, gb, gc];
  },
};

/** MatMul (rank >= 2): dA = dY B^T, dB = A^T dY, summed over broadcast batch axes. */
export const matMulRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const [a, b] = ctx.node.input;
    const g = ctx.gradOutputs[0]!;
    const ra = ctx.shape(a).length;
    const rb = ctx.shape(b).length;
    if (ra < 2 || rb < 2) ctx.fail('MatMul with a rank-1 operand is not supported');
    const swap = (r: number): number[] => [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
    return [
      ctx.needsGrad[0] ? unbroadcast(ctx, e.op('MatMul', [g, e.op('Transpose', [b], { perm: swap(rb) })]), a) : undefined,
      ctx.needsGrad[1] ? unbroadcast(ctx, e.op('MatMul', [e.op('Transpose', [a], { perm: swap(ra) }), g]), b) : undefined,
    ];
  },
};

/** BatchNormalization (inference): dx = dy * scale / sqrt(var + eps), per channel. */
export const batchNormRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const n = ctx.node;
    if (attrInt(n, 'training_mode', 0) === 1) ctx.fail('training_mode=1 is not supported; export the model in eval mode');
    if (ctx.needsGrad.slice(1).some(Boolean)) ctx.fail('BatchNormalization parameters that depend on the input are not supported');
    const scale = ctx.graph.constValue(n.input[1]);
    const variance = ctx.graph.constValue(n.input[4]);
    if (!scale || !variance) return ctx.fail('scale and variance must be constants');
    const eps = attrFloat(n, 'epsilon', 1e-5);
    const s = scale.values.map((v, i) => v / Math.sqrt(variance.values[i] + eps));
    const r = ctx.shape(n.input[0]).length;
    const dims = [s.length, ...new Array(Math.max(0, r - 2)).fill(1)];
    return [ctx.emit.mul(ctx.gradOutputs[0]!, ctx.emit.constF(s, dims))];
  },
};
