/**
 * Saliency: the gradient of the target logit with respect to the input, |grad| by default as Captum's
 * Saliency (abs=True); `abs=false` keeps signs.
 */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { GRADIENT } from '../core/grad/composites.js';
import { inputGradient } from '../core/grad/explain-helpers.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';
import type { ParamSpec } from '../core/params.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'abs', type: 'boolean', default: true, description: 'absolute value of the gradient (Captum default); false keeps signs' },
  reduceParam('max-abs'),
];

/**
 * Simonyan, Vedaldi & Zisserman (2014). Deep Inside Convolutional Networks: Visualising Image Classification
 * Models and Saliency Maps.
 * @example const e = await saliency({ model, input, target: 3, params: { abs: true, reduce: 'max-abs' }, seed: 0, batchSize: 1 });
 */
export async function saliency(req: ExplainRequest): Promise<Explanation> {
  const { grad } = await inputGradient(req, GRADIENT);
  const abs = req.params.abs !== false;
  const data = abs ? grad.data.map(Math.abs) : grad.data;
  return inputExplanation({ data, shape: grad.shape }, (req.params.reduce ?? 'max-abs') as Reduction, !abs, 1);
}

export const saliencySpec: ExplainerSpec = {
  name: 'saliency',
  title: 'Saliency (gradient)',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Simonyan, Vedaldi & Zisserman (2014). Deep Inside Convolutional Networks: Visualising Image Classification Models and Saliency Maps.',
  description: 'Gradient of the target logit with respect to each input value (absolute by default).',
  params: PARAMS,
  explain: saliency,
};
