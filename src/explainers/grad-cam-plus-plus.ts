/** Grad-CAM++: channel weights sum_hw relu(G) * alpha with the closed-form alpha of the paper (pytorch-grad-cam's form). */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { CAM_PARAMS, camExplain, type CamWeights } from '../core/grad/cam-base.js';

/** alpha = G^2 / (2 G^2 + sum_hw(A) G^3), 0 where G = 0 (exponential-output form, as pytorch-grad-cam). */
export const gradCamPlusPlusWeights: CamWeights = (a, g) => {
  const [, c, h, w] = g.shape;
  const hw = h * w;
  const out = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sumA = 0;
    for (let i = 0; i < hw; i++) sumA += a.data[ch * hw + i];
    let s = 0;
    for (let i = 0; i < hw; i++) {
      const gi = g.data[ch * hw + i];
      if (gi === 0) continue;
      const g2 = gi * gi;
      const alpha = g2 / (2 * g2 + sumA * g2 * gi + 1e-7);
      s += Math.max(gi, 0) * alpha;
    }
    out[ch] = s;
  }
  return out;
};

/**
 * Chattopadhyay, Sarkar, Howlader & Balasubramanian (2018). Grad-CAM++: Improved Visual Explanations for Deep
 * Convolutional Networks.
 * @example const e = await gradCamPlusPlus({ model, input, target: 3, params: {}, seed: 0, batchSize: 1 });
 */
export function gradCamPlusPlus(req: ExplainRequest): Promise<Explanation> {
  return camExplain(req, gradCamPlusPlusWeights);
}

export const gradCamPlusPlusSpec: ExplainerSpec = {
  name: 'grad-cam++',
  title: 'Grad-CAM++',
  family: 'activation',
  needsGradients: true,
  shardable: false,
  paper: 'Chattopadhyay, Sarkar, Howlader & Balasubramanian (2018). Grad-CAM++: Improved Visual Explanations for Deep Convolutional Networks.',
  description: 'Grad-CAM with per-position weights of positive gradients (better for several instances of a class).',
  params: CAM_PARAMS,
  explain: gradCamPlusPlus,
};
