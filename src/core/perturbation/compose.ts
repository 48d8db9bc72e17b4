/**
 * Composing perturbed inputs from keep masks: input_i = fill + keep_i * (x - fill) (keep 1: the input, up to
 * one float32 rounding; keep 0: the fill), keep broadcast over channels when it has one channel. Every perturbation method is this (occlusion windows, RISE masks,
 * superpixel coalitions, deletion/insertion orders, Score-CAM channel masks), so methods write only keep
 * masks and the engine composes. Two equivalent ways:
 *  - in the graph: a variant of the model takes `xai_keep` [N, 1|C, H, W], `xai_delta` = x - fill and
 *    `xai_fill` [1, C, H, W] and computes the model input with one Mul and one Add before the original graph;
 *    onnxruntime does the N x C x H x W work vectorised, and the batch the engine writes is C times smaller;
 *  - in JavaScript, for models without ONNX bytes (test doubles) or when the graph edit is not possible.
 * Both round like float32 arithmetic step by step, so they give the same inputs.
 */
import { InvalidInputError } from '../errors.js';
import type { LoadedModel } from '../models/loaded-model.js';
import { DataType, makeNode, makeValueInfo, parseModel, serializeModel } from '../onnx/model.js';
import type { Session } from '../runtime/types.js';

export const KEEP = 'xai_keep';
export const DELTA = 'xai_delta';
export const FILL = 'xai_fill';

/** The model with its input computed from (keep, delta = x - fill, fill). */
export function composeGraph(bytes: Uint8Array, inputName: string, c: number, h: number, w: number): Uint8Array {
  const m = parseModel(bytes);
  const g = m.graph!;
  const at = g.input.findIndex((i) => i.name === inputName);
  if (at < 0) throw new InvalidInputError(`model has no graph input "${inputName}"`, { param: 'model' });
  g.input.splice(
    at,
    1,
    makeValueInfo(KEEP, DataType.FLOAT, ['xai_n', 'xai_kc', h, w]),
    makeValueInfo(DELTA, DataType.FLOAT, [1, c, h, w]),
    makeValueInfo(FILL, DataType.FLOAT, [1, c, h, w]),
  );
  g.node.unshift(makeNode('Mul', [KEEP, DELTA], ['xai_kept'], {}, 'xai_compose_kept'), makeNode('Add', [FILL, 'xai_kept'], [inputName], {}, 'xai_compose'));
  return serializeModel(m);
}

/**
 * Inputs of at least this many values per sample (3 x 64 x 64) compose in the graph. Below it (28 x 28 gray) the four
 * extra graph nodes cost more per run than composing in JavaScript (measured on the Fashion-MNIST CNN).
 */
export const GRAPH_COMPOSE_MIN_VALUES = 3 * 64 * 64;

/**
 * The composing session of a model, or undefined when composing in JavaScript is the better choice: the model
 * has no ONNX bytes (a test double) or its input is small (GRAPH_COMPOSE_MIN_VALUES), unless `force`.
 */
export async function composeSession(model: LoadedModel, force = false): Promise<Session | undefined> {
  const [, c, h, w] = model.inputShape(1);
  if (model.bytes.length === 0 || (!force && c * h * w < GRAPH_COMPOSE_MIN_VALUES)) return undefined;
  return model.variant('perturbation:compose', () => composeGraph(model.bytes, model.manifest.input.name, c, h, w));
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
