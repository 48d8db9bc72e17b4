/**
 * The one CAM pipeline (pytorch-grad-cam's BaseCAM, without per-variant shape code): layer activations A and
 * gradients G of the target logit from one gradient run that stops at the layer, channel weights from the
 * variant, map = ReLU(sum_c w_c A_c) (optional ReLU), raw attribution at layer resolution (or bilinearly
 * upsampled on request) and `map` always bilinearly upsampled to the input (align_corners=False, as Captum).
 */
import type { Explanation, ExplainRequest } from '../explainer.js';
import type { ParamSpec } from '../params.js';
import type { Tensor } from '../tensor.js';
import { GRADIENT } from './composites.js';
import { camLayerOf } from './layers.js';
import { upsampleMap } from './maps.js';
import { gradientSession, oneHotTargets, runGradients, targetRowShape } from './run.js';

/** Channel weights [C] of one CAM variant from activations and gradients (both [1, C, h, w]). */
export type CamWeights = (activation: Tensor, gradient: Tensor) => Float64Array;

export const CAM_PARAMS: readonly ParamSpec[] = [
  { name: 'relu', type: 'boolean', default: true, description: 'keep only positive evidence (ReLU of the weighted sum), as Captum relu_attributions=True' },
  { name: 'upsample', type: 'boolean', default: false, description: 'return the raw attribution upsampled (bilinear) to the input size instead of at layer resolution' },
];

export interface CamResult {
  /** The map at layer resolution, h*w. */
  cam: Float32Array;
  h: number;
  w: number;
  layer: string;
}

/** Layer activations and gradients of the target logit, then the weighted sum with `weights`. */
export async function computeCam(req: ExplainRequest, weights: CamWeights, relu: boolean): Promise<CamResult> {
  req.model.checkTarget(req.target);
  const { layer, shape } = camLayerOf(req);
  const opts = { rules: GRADIENT, tensors: [layer], inputGradient: false };
  const classes = targetRowShape(await gradientSession(req.model, opts))[0];
  const r = await runGradients(req.model, opts, req.input, oneHotTargets([req.target], classes), 1);
  const { activation, gradient } = r.tensors[layer];
  const [, c, h, w] = shape;
  const wc = weights(activation, gradient);
  const hw = h * w;
  const cam = new Float32Array(hw);
  for (let i = 0; i < hw; i++) {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += wc[ch] * activation.data[ch * hw + i];
    cam[i] = relu ? Math.max(0, s) : s;
  }
  return { cam, h, w, layer };
}

/** Mean of the gradient over space, per channel: Grad-CAM's weights. */
export const gradCamWeights: CamWeights = (_a, g) => {
  const [, c, h, w] = g.shape;
  const hw = h * w;
  const out = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += g.data[ch * hw + i];
    out[ch] = s / hw;
  }
  return out;
};

/** Run a CAM variant and package the Explanation. */
export async function camExplain(req: ExplainRequest, weights: CamWeights): Promise<Explanation> {
  const relu = req.params.relu !== false;
  const { cam, h, w, layer } = await computeCam(req, weights, relu);
  const [, , H, W] = req.input.shape;
  const map = upsampleMap(cam, h, w, H, W, 'bilinear');
  const attribution = req.params.upsample === true ? { data: map.slice(), shape: [1, 1, H, W] } : { data: cam, shape: [1, 1, h, w] };
  return { attribution, map, width: W, height: H, signed: !relu, passes: 1, extras: { layer, layerShape: [h, w] } };
}
