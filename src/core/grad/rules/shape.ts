/**
 * Backward rules of data-movement ops: reshapes (Flatten, Reshape, Squeeze, Unsqueeze) reshape the gradient
 * back to the runtime input shape, Transpose applies the inverse permutation, Concat slices, Pad crops,
 * Dropout and Identity pass the gradient through.
 */
import { attrInt, attrInts, attrString } from '../../onnx/model.js';
import { padsOf } from '../../onnx/shapes.js';
import type { Rule } from '../rule.js';

export const reshapeLikeInputRule: Rule = {
  name: 'gradient',
  backward: (ctx) => [ctx.emit.reshapeLike(ctx.gradOutputs[0]!, ctx.node.input[0])],
};

export const passRule: Rule = {
  name: 'gradient',
  backward: (ctx) => [ctx.gradOutputs[0]],
};

export const transposeRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const r = ctx.shape(ctx.node.input[0]).length;
    const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    const inv = new Array<number>(r);
    perm.forEach((p, i) => (inv[p] = i));
    return [ctx.emit.op('Transpose', [ctx.gradOutputs[0]!], { perm: inv })];
  },
};

export const concatRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const n = ctx.node;
    const r = ctx.shape(n.input[0]).length;
    let axis = attrInt(n, 'axis', 0);
    if (axis < 0) axis += r;
    let off = 0;
    return n.input.map((x, i) => {
      const size = ctx.shape(x)[axis];
      if (typeof size !== 'number') return ctx.fail(`input ${i} needs a static size along the concat axis`);
      const start = off;
      off += size;
      return ctx.needsGrad[i] ? ctx.emit.slice(ctx.gradOutputs[0]!, [start], [start + size], [axis]) : undefined;
    });
  },
};

/** Pad (constant mode, non-negative pads): the gradient is the un-padded crop. */
export const padRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const n = ctx.node;
    const mode = attrString(n, 'mode', 'constant');
    if (mode !== 'constant') ctx.fail(`mode "${mode}" is not supported (only "constant")`);
    if (n.input[3]) ctx.fail('the axes input of Pad (opset 18) is not supported');
    const pads = padsOf(ctx.graph, n);
    if (!pads) return ctx.fail('pads must be constant');
    if (pads.some((p) => p < 0)) ctx.fail('negative pads (cropping) are not supported');
    const r = pads.length / 2;
    const axes: number[] = [];
    const starts: number[] = [];
    const ends: (number | 'end')[] = [];
    for (let i = 0; i < r; i++) {
      if (pads[i] === 0 && pads[i + r] === 0) continue;
      axes.push(i);
      starts.push(pads[i]);
      ends.push(pads[i + r] > 0 ? -pads[i + r] : 'end');
    }
    return [axes.length ? ctx.emit.slice(ctx.gradOutputs[0]!, starts, ends, axes) : ctx.gradOutputs[0]];
  },
};
