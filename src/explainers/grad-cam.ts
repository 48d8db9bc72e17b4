/** Grad-CAM: layer activations weighted by the spatial mean of their gradients, as Captum's LayerGradCam. */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { CAM_PARAMS, camExplain, gradCamWeights } from '../core/grad/cam-base.js';

/**
 * Selvaraju, Cogswell, Das, Vedantam, Parikh & Batra (2017). Grad-CAM: Visual Explanations from Deep Networks
 * via Gradient-based Localization.
 * @example const e = await gradCam({ model, input, target: 3, layer: '/conv2/Conv_output_0', params: {}, seed: 0, batchSize: 1 });
 */
export function gradCam(req: ExplainRequest): Promise<Explanation> {
  return camExplain(req, gradCamWeights);
}

export const gradCamSpec: ExplainerSpec = {
  name: 'grad-cam',
  title: 'Grad-CAM',
  family: 'activation',
  needsGradients: true,
  shardable: false,
  paper: 'Selvaraju, Cogswell, Das, Vedantam, Parikh & Batra (2017). Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization.',
  description: "A layer's channels weighted by the mean gradient of the target logit, summed, ReLU; default layer from the manifest or the last spatial tensor.",
  params: CAM_PARAMS,
  explain: gradCam,
};
