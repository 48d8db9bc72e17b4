/**
 * Backward rules of activations. Exact gradients follow PyTorch at non-differentiable points (ReLU'(0) = 0,
 * ReLU6/Clip pass strictly inside (min, max), HardSwish as torch's hardswish_backward). The guided and
 * deconvnet ReLU rules are the modified backward passes Captum's GuidedBackprop and Deconvolution install.
 */
import { attr, attrFloat, attrInt } from '../../onnx/model.js';
import type { BackwardContext, Rule } from '../rule.js';

const x0 = (ctx: BackwardContext): string => ctx.node.input[0];
const y0 = (ctx: BackwardContext): string => ctx.node.output[0];
const g0 = (ctx: BackwardContext): string => ctx.gradOutputs[0]!;

/**
 * ReLU's forward mask x > 0, read from the output (y > 0 exactly when x > 0): then nothing but the ReLU consumes
 * the pre-activation, and onnxruntime can still fuse the producing Conv with the ReLU in the gradient graph.
 */
const reluOn = (ctx: BackwardContext): string => ctx.emit.op('Greater', [y0(ctx), ctx.emit.constF([0])]);

const identity = (g: string): string => g;

/**
 * f(g) where x > 0, else 0 (f elementwise with f(0) = 0). When g is a max pool's scatter of this ReLU's output,
 * the mask goes on the pooled gradient before the scatter instead: the element a window routes to equals the
 * window's maximum, so it is positive exactly when the pooled value is. That masks 4x fewer elements (2x2
 * pools) and keeps the full-size map out of the ReLU's backward. f must commute with the scatter: any f when
 * windows are disjoint (each element receives one value or none), only the identity when they overlap (an
 * element receives a sum). When g is a broadcast (GlobalAveragePool), Where broadcasts the small tensor itself.
 */
function masked(ctx: BackwardContext, f: (g: string) => string = identity): string {
  const e = ctx.emit;
  const g = g0(ctx);
  const s = e.scatterOf(g);
  if (s && s.input === y0(ctx) && (f === identity || s.disjoint)) {
    return s.rebuild(e.maskZero(e.op('Greater', [s.pooled, e.constF([0])]), f(s.grad)));
  }
  return e.maskZero(reluOn(ctx), f(e.broadcastOf(g) ?? g));
}

/** Exact ReLU gradient: g where x > 0, else 0. */
export const reluRule: Rule = {
  name: 'gradient',
  backward: (ctx) => [masked(ctx)],
};

/**
 * Guided backpropagation at ReLU: relu(g) where x > 0.
 * Springenberg et al. (2015). Striving for Simplicity: The All Convolutional Net.
 */
export const guidedReluRule: Rule = {
  name: 'guided',
  backward: (ctx) => [masked(ctx, (g) => ctx.emit.op('Relu', [g]))],
};

/**
 * Deconvnet at ReLU: relu(g), ignoring the forward mask.
 * Zeiler & Fergus (2014). Visualizing and Understanding Convolutional Networks.
 */
export const deconvnetReluRule: Rule = {
  name: 'deconvnet',
  backward: (ctx) => [ctx.emit.op('Relu', [g0(ctx)])],
};

export const leakyReluRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const alpha = attrFloat(ctx.node, 'alpha', 0.01);
    return [e.op('Where', [e.op('Greater', [x0(ctx), e.constF([0])]), g0(ctx), e.mul(g0(ctx), e.constF([alpha]))])];
  },
};

/** Clip (ReLU6 and friends): g strictly inside (min, max), as torch's hardtanh backward. */
export const clipRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const n = ctx.node;
    let lo: string | undefined = n.input[1] || undefined;
    let hi: string | undefined = n.input[2] || undefined;
    if (ctx.graph.opset < 11) {
      lo = attr(n, 'min') ? e.constF([attrFloat(n, 'min', 0)]) : undefined;
      hi = attr(n, 'max') ? e.constF([attrFloat(n, 'max', 0)]) : undefined;
    }
    const conds: string[] = [];
    if (lo) conds.push(e.op('Greater', [x0(ctx), lo]));
    if (hi) conds.push(e.op('Less', [x0(ctx), hi]));
    if (conds.length === 0) return [g0(ctx)];
    const cond = conds.length === 2 ? e.op('And', conds) : conds[0];
    return [e.maskZero(cond, g0(ctx))];
  },
};

export const sigmoidRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const y = y0(ctx);
    return [e.mul(g0(ctx), e.mul(y, e.sub(e.constF([1]), y)))];
  },
};

export const tanhRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const y = y0(ctx);
    return [e.mul(g0(ctx), e.sub(e.constF([1]), e.mul(y, y)))];
  },
};

/** HardSigmoid max(0, min(1, alpha x + beta)): alpha * g strictly inside the linear part. */
export const hardSigmoidRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const alpha = attrFloat(ctx.node, 'alpha', 0.2);
    const beta = attrFloat(ctx.node, 'beta', 0.5);
    const z = e.add(e.mul(x0(ctx), e.constF([alpha])), e.constF([beta]));
    const inside = e.op('And', [e.op('Greater', [z, e.constF([0])]), e.op('Less', [z, e.constF([1])])]);
    return [e.maskZero(inside, e.mul(g0(ctx), e.constF([alpha])))];
  },
};

/** HardSwish x * relu6(x + 3) / 6: derivative 0 below -3, x/3 + 1/2 up to 3 (inclusive, as torch), 1 above. */
export const hardSwishRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const x = x0(ctx);
    const mid = e.add(e.mul(x, e.constF([1 / 3])), e.constF([0.5]));
    const d = e.op('Where', [e.op('Greater', [x, e.constF([3])]), e.constF([1]), e.maskZero(e.op('Not', [e.op('Less', [x, e.constF([-3])])]), mid)]);
    return [e.mul(g0(ctx), d)];
  },
};

/** Axes Softmax/LogSoftmax normalise over: one axis from opset 13, "all axes from `axis`" before. */
function softmaxAxes(ctx: BackwardContext): number[] {
  const r = ctx.shape(x0(ctx)).length;
  const v13 = ctx.graph.opset >= 13;
  let axis = attrInt(ctx.node, 'axis', v13 ? -1 : 1);
  if (axis < 0) axis += r;
  if (v13) return [axis];
  const axes: number[] = [];
  for (let i = axis; i < r; i++) axes.push(i);
  return axes;
}

/** y = softmax(x): dx = y * (g - sum(g * y)). */
export const softmaxRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const y = y0(ctx);
    const g = g0(ctx);
    const s = e.reduceSum(e.mul(g, y), softmaxAxes(ctx), true);
    return [e.mul(y, e.sub(g, s))];
  },
};

/** y = log_softmax(x): dx = g - exp(y) * sum(g). */
export const logSoftmaxRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const g = g0(ctx);
    return [e.sub(g, e.mul(e.op('Exp', [y0(ctx)]), e.reduceSum(g, softmaxAxes(ctx), true)))];
  },
};
