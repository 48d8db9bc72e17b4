/**
 * Exact backward rules of broadcasting arithmetic: Add, Sub, Mul, Div. A gradient flowing to a broadcast
 * operand is summed over the broadcast axes (ReduceSum, keepdims) and reshaped to the operand's shape.
 */
import type { BackwardContext, Rule } from '../rule.js';

/** Sum `g` (shaped like the node's output) down to the shape of input `target`. */
export function unbroadcast(ctx: BackwardContext, g: string, target: string): string {
  const out = ctx.shape(ctx.node.output[0]);
  const ts = ctx.shape(target);
  const lead = out.length - ts.length;
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  ts.forEach((d, i) => {
    if (d === 1 && out[lead + i] !== 1) axes.push(lead + i);
  });
  let r = axes.length ? ctx.emit.reduceSum(g, axes, true) : g;
  if (lead > 0) r = ctx.emit.reshapeLike(r, target);
  return r;
}

export const addRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const g = ctx.gradOutputs[0]!;
    return ctx.node.input.map((x, i) => (ctx.needsGrad[i] ? unbroadcast(ctx, g, x) : undefined));
  },
};

export const subRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const g = ctx.gradOutputs[0]!;
    const [a, b] = ctx.node.input;
    return [
      ctx.needsGrad[0] ? unbroadcast(ctx, g, a) : undefined,
      ctx.needsGrad[1] ? unbroadcast(ctx, ctx.emit.op('Neg', [g]), b) : undefined,
    ];
  },
};

export const mulRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const g = ctx.gradOutputs[0]!;
    const [a, b] = ctx.node.input;
    return [
      ctx.needsGrad[0] ? unbroadcast(ctx, ctx.emit.mul(g, b), a) : undefined,
      ctx.needsGrad[1] ? unbroadcast(ctx, ctx.emit.mul(g, a), b) : undefined,
    ];
  },
};

/** d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b. */
export const divRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const g = ctx.gradOutputs[0]!;
    const [a, b] = ctx.node.input;
    const e = ctx.emit;
    const ga = ctx.needsGrad[0] ? unbroadcast(ctx, e.op('Div', [g, b]), a) : undefined;
    const gb = ctx.needsGrad[1] ? unbroadcast(ctx, e.op('Neg', [e.op('Div', [e.mul(g, ctx.node.output[0]), b])]), b) : undefined;
    return [ga, gb];
  },
};
