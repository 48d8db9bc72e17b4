/**
 * Guided Grad-CAM: guided backpropagation times Grad-CAM (ReLU) upsampled with PyTorch's legacy nearest
 * mode and broadcast over channels, as Captum's GuidedGradCam.
 */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { computeCam, gradCamWeights } from '../core/grad/cam-base.js';
import { GUIDED } from '../core/grad/composites.js';
import { inputGradient } from '../core/grad/explain-helpers.js';
import { inputExplanation, reduceParam, upsampleMap, type Reduction } from '../core/grad/maps.js';

/**
 * Selvaraju et al. (2017). Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization.
 * @example const e = await guidedGradCam({ model, input, target: 3, params: {}, seed: 0, batchSize: 1 });
 */
export async function guidedGradCam(req: ExplainRequest): Promise<Explanation> {
  const { cam, h, w, layer } = await computeCam(req, gradCamWeights, true);
  const { grad } = await inputGradient(req, GUIDED);
  const [, c, H, W] = grad.shape;
  const up = upsampleMap(cam, h, w, H, W, 'nearest');
  const data = new Float32Array(grad.data.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < H * W; i++) data[ch * H * W + i] = grad.data[ch * H * W + i] * up[i];
  return inputExplanation({ data, shape: grad.shape }, (req.params.reduce ?? 'max-abs') as Reduction, true, 2, { layer });
}

export const guidedGradCamSpec: ExplainerSpec = {
  name: 'guided-grad-cam',
  title: 'Guided Grad-CAM',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Selvaraju, Cogswell, Das, Vedantam, Parikh & Batra (2017). Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization.',
  description: 'Guided backpropagation multiplied by the (nearest-upsampled) Grad-CAM map.',
  params: [reduceParam('max-abs')],
  explain: guidedGradCam,
};
