/**
 * Layer-wise Relevance Propagation rules for Conv and Gemm, as Zennit 0.5.1 defines them (conventions in
 * /work/shared/reference/README.md): Epsilon, ZPlus, AlphaBeta, Flat, Gamma and ZBox, plus Pass for activations
 * and Norm for sums and average pooling. Each rule
 * (and AlphaBeta) is the "modified gradient" form: forward the layer again with modified inputs/weights, divide the incoming
 * relevance by the stabilised output, send it back through the (modified) weights' input gradient and multiply
 * by the (modified) inputs. Modified weights are constants computed here, at build time. The stabiliser is
 * stab(z) = z + eps * sign(z) with sign(0) = +1.
 * Bach et al. (2015). On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance
 * Propagation; Montavon et al. (2019). Layer-Wise Relevance Propagation: An Overview.
 */
import type { ConstTensor } from '../../onnx/model.js';
import type { BackwardContext, Rule } from '../rule.js';
import { convInputGrad, gemmInputGrad } from './linear.js';

/** Weight / bias modifier: maps each constant value (and whether it is the bias). */
type Modifier = (v: number, isBias: boolean) => number;

interface Layer {
  x: string;
  /** The layer's output z = Wx + b, as the forward pass computed it. */
  z: string;
  /** Forward the layer again on input `x` with modified weights and bias (bias dropped when `bias` is false). */
  forward(x: string, mod: Modifier, bias: boolean): string;
  /** Input gradient of `g` through the modified weights. */
  backward(g: string, mod: Modifier): string;
}

function layerOf(ctx: BackwardContext): Layer {
  const n = ctx.node;
  if (n.opType !== 'Conv' && n.opType !== 'Gemm') ctx.fail('LRP rules apply to Conv and Gemm nodes');
  if (ctx.needsGrad.slice(1).some(Boolean)) ctx.fail('weights or bias that depend on the input are not supported');
  const w = ctx.graph.constValue(n.input[1]) ?? ctx.fail('LRP needs constant weights');
  const b = n.input[2] ? (ctx.graph.constValue(n.input[2]) ?? ctx.fail('LRP needs a constant bias')) : undefined;
  if (n.opType === 'Gemm' && b && b.dims.length > 1 && b.dims[0] !== 1) ctx.fail('LRP needs a Gemm bias broadcast over the batch');
  const e = ctx.emit;
  const weights = new Map<Modifier, { name: string; t: ConstTensor }>();
  const modW = (mod: Modifier) => {
    let hit = weights.get(mod);
    if (!hit) {
      const values = Float64Array.from(w.values, (v) => mod(v, false));
      hit = { name: e.constF(values, w.dims), t: { dims: w.dims, dataType: w.dataType, values } };
      weights.set(mod, hit);
    }
    return hit;
  };
  return {
    x: n.input[0],
    z: n.output[0],
    forward(x, mod, bias) {
      const inputs = [x, modW(mod).name];
      if (bias && b) inputs.push(e.constF(Float64Array.from(b.values, (v) => mod(v, true)), b.dims));
      return e.clone(n, inputs);
    },
    backward(g, mod) {
      const m = modW(mod);
      return n.opType === 'Conv' ? convInputGrad(ctx, g, m.name, m.t) : gemmInputGrad(ctx, g, m.name);
    },
  };
}

const ID: Modifier = (v) => v;
const POS: Modifier = (v) => Math.max(v, 0);
const NEG: Modifier = (v) => Math.min(v, 0);

/** g / stab(z), stab(z) = z + eps * sign(z), sign(0) = +1. */
function divStab(ctx: BackwardContext, g: string, z: string, eps: number): string {
  const e = ctx.emit;
  const stab = e.op('Where', [e.op('Less', [z, e.constF([0])]), e.sub(z, e.constF([eps])), e.add(z, e.constF([eps]))]);
  return e.op('Div', [g, stab]);
}

const posPart = (ctx: BackwardContext, x: string): string => ctx.emit.op('Relu', [x]);
const negPart = (ctx: BackwardContext, x: string): string => ctx.emit.op('Min', [x, ctx.emit.constF([0])]);

/** Epsilon: R_in = x * W^T (R / stab(z)), z including the bias. */
export function epsilonRule(eps: number): Rule {
  return {
    name: `epsilon(${eps})`,
    backward(ctx) {
      const L = layerOf(ctx);
      const s = divStab(ctx, ctx.gradOutputs[0]!, L.z, eps);
      return [ctx.emit.mul(L.x, L.backward(s, ID))];
    },
  };
}

/** ZPlus: z = W+ x+ + b+ + W- x-, R_in = x+ * W+^T s + x- * W-^T s, s = R / stab(z). */
export function zPlusRule(eps: number): Rule {
  return {
    name: `zplus(${eps})`,
    backward(ctx) {
      const L = layerOf(ctx);
      const e = ctx.emit;
      const xp = posPart(ctx, L.x);
      const xn = negPart(ctx, L.x);
      const z = e.add(L.forward(xp, POS, true), L.forward(xn, NEG, false));
      const s = divStab(ctx, ctx.gradOutputs[0]!, z, eps);
      return [e.add(e.mul(xp, L.backward(s, POS)), e.mul(xn, L.backward(s, NEG)))];
    },
  };
}

/**
 * AlphaBeta: positive and negative contributions apart. z+ = W+ x+ + b+ + W- x-, z- = W- x+ + b- + W+ x-;
 * R_in = alpha (x+ W+^T s+ + x- W-^T s+) - beta (x+ W-^T s- + x- W+^T s-), s+- = R / stab(z+-).
 * AlphaBeta(1, 0) is ZPlus.
 */
export function alphaBetaRule(alpha: number, beta: number, eps: number): Rule {
  return {
    name: `alphabeta(${alpha},${beta},${eps})`,
    backward(ctx) {
      const L = layerOf(ctx);
      const e = ctx.emit;
      const g = ctx.gradOutputs[0]!;
      const xp = posPart(ctx, L.x);
      const xn = negPart(ctx, L.x);
      const sPos = divStab(ctx, g, e.add(L.forward(xp, POS, true), L.forward(xn, NEG, false)), eps);
      const pos = e.add(e.mul(xp, L.backward(sPos, POS)), e.mul(xn, L.backward(sPos, NEG)));
      if (beta === 0) return [alpha === 1 ? pos : e.mul(pos, e.constF([alpha]))];
      const sNeg = divStab(ctx, g, e.add(L.forward(xp, NEG, true), L.forward(xn, POS, false)), eps);
      const neg = e.add(e.mul(xp, L.backward(sNeg, NEG)), e.mul(xn, L.backward(sNeg, POS)));
      return [e.sub(e.mul(pos, e.constF([alpha])), e.mul(neg, e.constF([beta])))];
    },
  };
}

const ONES: Modifier = (v, isBias) => (isBias ? 0 : 1);

/** Flat: inputs and weights replaced by ones, bias 0: R_in = W1^T (R / stab(n)), n = inputs per window; not times x. */
export function flatRule(eps: number): Rule {
  return {
    name: `flat(${eps})`,
    backward(ctx) {
      const L = layerOf(ctx);
      const e = ctx.emit;
      const ones = e.op('Expand', [e.constF([1]), e.shapeOf(L.x)]);
      const s = divStab(ctx, ctx.gradOutputs[0]!, L.forward(ones, ONES, false), eps);
      return [L.backward(s, ONES)];
    },
  };
}

/**
 * Gamma: W_up = W + gamma W+, W_dn = W + gamma W-; outputs with z > 0 take z+ = W_up x+ + (b + gamma b+) + W_dn x-
 * and send x+ W_up^T s+ + x- W_dn^T s+; outputs with z < 0 take z- = W_dn x+ + (b + gamma b-) + W_up x- and send
 * x+ W_dn^T s- + x- W_up^T s-; z = 0 sends nothing (z is the layer's own output).
 */
export function gammaRule(gamma: number, eps: number): Rule {
  const up: Modifier = (v) => v + gamma * Math.max(v, 0);
  const dn: Modifier = (v) => v + gamma * Math.min(v, 0);
  return {
    name: `gamma(${gamma},${eps})`,
    backward(ctx) {
      const L = layerOf(ctx);
      const e = ctx.emit;
      const g = ctx.gradOutputs[0]!;
      const xp = posPart(ctx, L.x);
      const xn = negPart(ctx, L.x);
      const zPlus = e.add(L.forward(xp, up, true), L.forward(xn, dn, false));
      const zMinus = e.add(L.forward(xp, dn, true), L.forward(xn, up, false));
      const sPlus = e.maskZero(e.op('Greater', [L.z, e.constF([0])]), divStab(ctx, g, zPlus, eps));
      const sMinus = e.maskZero(e.op('Less', [L.z, e.constF([0])]), divStab(ctx, g, zMinus, eps));
      const toXp = e.add(L.backward(sPlus, up), L.backward(sMinus, dn));
      const toXn = e.add(L.backward(sPlus, dn), L.backward(sMinus, up));
      return [e.add(e.mul(xp, toXp), e.mul(xn, toXn))];
    },
  };
}

/**
 * ZBox (first layer, inputs bounded by low <= x <= high, per channel): z = Wx - W+ l - W- h (the biases cancel),
 * R_in = x W^T s - l W+^T s - h W-^T s. l and h are input-shaped, so zero padding is zero for x, l and h alike.
 */
export function zBoxRule(low: readonly number[], high: readonly number[], eps: number): Rule {
  return {
    name: `zbox(${low.join(',')};${high.join(',')};${eps})`,
    backward(ctx) {
      const L = layerOf(ctx);
      const e = ctx.emit;
      const xs = ctx.shape(L.x);
      const c = xs[1];
      if (low.length !== 1 && low.length !== c) ctx.fail(`box bounds have ${low.length} values; the input has ${c} channels`);
      const bound = (v: readonly number[]) => e.op('Expand', [e.constF(v, v.length === 1 ? [] : [1, v.length, ...xs.slice(2).map(() => 1)]), e.shapeOf(L.x)]);
      const l = bound(low);
      const h = bound(high);
      const z = e.sub(e.sub(L.forward(L.x, ID, false), L.forward(l, POS, false)), L.forward(h, NEG, false));
      const s = divStab(ctx, ctx.gradOutputs[0]!, z, eps);
      return [e.sub(e.sub(e.mul(L.x, L.backward(s, ID)), e.mul(l, L.backward(s, POS))), e.mul(h, L.backward(s, NEG)))];
    },
  };
}

/**
 * Norm (Zennit's rule for sums and average pooling): relevance split in proportion to each input's share of
 * the output, R_in = x * backward(R / stab(z)) with the op's exact (linear) backward. On a residual Add it
 * gives each branch a / (a + b) of the relevance instead of all of it to both, which the plain gradient would.
 */
export function normRule(exact: Rule, eps: number): Rule {
  return {
    name: `norm(${eps})`,
    backward(ctx) {
      const s = divStab(ctx, ctx.gradOutputs[0]!, ctx.node.output[0], eps);
      const grads = exact.backward({ ...ctx, gradOutputs: [s] });
      return grads.map((gi, i) => (gi ? ctx.emit.mul(ctx.node.input[i], gi) : undefined));
    },
  };
}

/** Pass: relevance goes through unchanged (Zennit's rule for activations such as ReLU). */
export const lrpPassRule: Rule = { name: 'pass', backward: (ctx) => [ctx.gradOutputs[0]] };
