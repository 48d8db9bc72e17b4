/**
 * Composing perturbed inputs from keep masks: input_i = fill + keep_i * (x - fill) (keep 1: the input, up to
 * one float32 rounding; keep 0: the fill), keep broadcast over channels when it has one channel. Every
 * perturbation method is this (occlusion windows, RISE masks, superpixel coalitions, deletion/insertion orders,
 * Score-CAM channel masks), so methods write only keep masks and the engine composes. Two equivalent ways:
 *  - in the graph: a variant of the model takes `xai_keep` [N, 1|C, H, W], `xai_delta` = x - fill and
 *    `xai_fill` [1, C, H, W] and computes the model input with one Mul and one Add before the original graph
 *    (only the Mul when the fill is zero); onnxruntime does the N x C x H x W work vectorised, and the batch the
 *    engine writes is C times smaller;
 *  - in JavaScript, for models without ONNX bytes (test doubles), small inputs, methods whose compose() fast
 *    path rewrites only what changed (occlusion), or when the graph edit is not possible.
 * Both round like float32 arithmetic step by step, so they give the same inputs (the zero-fill graph up to the
 * sign of a zero).
 */
import { InvalidInputError } from '../errors.js';
import type { LoadedModel } from '../models/loaded-model.js';
import { DataType, makeInt64Tensor, makeNode, makeValueInfo, parseModel, serializeModel } from '../onnx/model.js';
import type { Session } from '../runtime/types.js';

export const KEEP = 'xai_keep';
export const DELTA = 'xai_delta';
export const FILL = 'xai_fill';
/** Factored keep masks (composeGraph `factored`): keep_i = left_i (H x r) times right_i (r x W). */
export const KEEP_LEFT = 'xai_keep_left';
export const KEEP_RIGHT = 'xai_keep_right';

export interface ComposeGraphOptions {
  /** The fill is zero: the input is keep * delta (delta = x), without the fill input and its Add. */
  zeroFill?: boolean;
  /** Keep masks come as factors `xai_keep_left` [N, H, r] and `xai_keep_right` [N, r, W] (one keep channel). */
  factored?: boolean;
}

/**
 * The model with its input computed from (keep, delta = x - fill, fill). For a fill of zeros, from (keep,
 * delta = x) alone: the Add of a zero image would cost as much as the Mul (a full N x C x H x W pass) for
 * nothing but the sign of zero products. With factored keep masks, keep = MatMul(left, right) first: a
 * low-rank mask (RISE's upsampled grid) costs JavaScript (H + W) r values per sample instead of H W, and
 * onnxruntime a small batched MatMul.
 */
export function composeGraph(bytes: Uint8Array, inputName: string, c: number, h: number, w: number, o: ComposeGraphOptions = {}): Uint8Array {
  const m = parseModel(bytes);
  const g = m.graph!;
  const at = g.input.findIndex((i) => i.name === inputName);
  if (at < 0) throw new InvalidInputError(`model has no graph input "${inputName}"`, { param: 'model' });
  const inputs = o.factored
    ? [makeValueInfo(KEEP_LEFT, DataType.FLOAT, ['xai_n', h, 'xai_r']), makeValueInfo(KEEP_RIGHT, DataType.FLOAT, ['xai_n', 'xai_r', w])]
    : [makeValueInfo(KEEP, DataType.FLOAT, ['xai_n', 'xai_kc', h, w])];
  inputs.push(makeValueInfo(DELTA, DataType.FLOAT, [1, c, h, w]));
  if (!o.zeroFill) inputs.push(makeValueInfo(FILL, DataType.FLOAT, [1, c, h, w]));
  g.input.splice(at, 1, ...inputs);
  const nodes = o.zeroFill
    ? [makeNode('Mul', [KEEP, DELTA], [inputName], {}, 'xai_compose')]
    : [makeNode('Mul', [KEEP, DELTA], ['xai_kept'], {}, 'xai_compose_kept'), makeNode('Add', [FILL, 'xai_kept'], [inputName], {}, 'xai_compose')];
  if (o.factored) {
    g.initializer.push(makeInt64Tensor('xai_keep_shape', [4], [-1, 1, h, w]));
    nodes.unshift(makeNode('MatMul', [KEEP_LEFT, KEEP_RIGHT], ['xai_keep_hw'], {}, 'xai_keep_product'), makeNode('Reshape', ['xai_keep_hw', 'xai_keep_shape'], [KEEP], {}, 'xai_keep_channel'));
  }
  g.node.unshift(...nodes);
  return serializeModel(m);
}

/**
 * Inputs of at least this many values per sample (3 x 64 x 64) compose in the graph. Below it (28 x 28 gray) the four
 * extra graph nodes cost more per run than composing in JavaScript (measured on the Fashion-MNIST CNN).
 */
export const GRAPH_COMPOSE_MIN_VALUES = 3 * 64 * 64;

/**
 * The composing session of a model (composeGraph with `o`), or undefined when composing in JavaScript is the
 * better choice: the model has no ONNX bytes (a test double) or its input is small (GRAPH_COMPOSE_MIN_VALUES),
 * unless `o.force`.
 */
export async function composeSession(model: LoadedModel, o: ComposeGraphOptions & { force?: boolean } = {}): Promise<Session | undefined> {
  const [, c, h, w] = model.inputShape(1);
  if (model.bytes.length === 0 || (!o.force && c * h * w < GRAPH_COMPOSE_MIN_VALUES)) return undefined;
  const key = `perturbation:compose${o.zeroFill ? ':zero-fill' : ''}${o.factored ? ':factored' : ''}`;
  return model.variant(key, () => composeGraph(model.bytes, model.manifest.input.name, c, h, w, { zeroFill: o.zeroFill, factored: o.factored }));
}

/** Whether a fill is zero everywhere (the graph then skips adding it). */
export function isZeroFill(fill: Float32Array): boolean {
  for (let i = 0; i < fill.length; i++) if (fill[i] !== 0) return false;
  return true;
}

const f = Math.fround;

/**
 * The same composition in JavaScript, rounding each step to float32 as onnxruntime does.
 * keep: count x kc x hw; delta (x - fill, float32), fill: c x hw; out: count x c x hw.
 */
export function composeJs(keep: Float32Array, kc: number, delta: Float32Array, fill: Float32Array, c: number, hw: number, count: number, out: Float32Array): void {
  for (let j = 0; j < count; j++) {
    for (let ch = 0; ch < c; ch++) {
      const k0 = (j * kc + (kc === 1 ? 0 : ch)) * hw;
      const o = (j * c + ch) * hw;
      const b = ch * hw;
      // The store rounds the sum to float32 (the sum of two float32 values in float64 rounds correctly).
      for (let i = 0; i < hw; i++) out[o + i] = fill[b + i] + f(keep[k0 + i] * delta[b + i]);
    }
  }
}

/** x - fill in float32: the second input of the composition. */
export function composeDelta(x: Float32Array, fill: Float32Array): Float32Array {
  const d = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i] - fill[i];
  return d;
}

/**
 * The pieces a method's compose() fast path needs (types.ts ComposeImages): delta, fill, and the inputs for
 * keep 1 and keep 0 everywhere, composed by composeJs itself so that selecting between them is exact.
 */
export function composeImages(x: Float32Array, fill: Float32Array): { delta: Float32Array; fill: Float32Array; kept: Float32Array; hidden: Float32Array } {
  const n = x.length;
  const delta = composeDelta(x, fill);
  const kept = new Float32Array(n);
  const hidden = new Float32Array(n);
  composeJs(new Float32Array(n).fill(1), n, delta, fill, 1, n, 1, kept);
  composeJs(new Float32Array(n), n, delta, fill, 1, n, 1, hidden);
  return { delta, fill, kept, hidden };
}
