/** Input x Gradient: the input times the gradient of the target logit, as Captum's InputXGradient. */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { GRADIENT } from '../core/grad/composites.js';
import { inputGradient } from '../core/grad/explain-helpers.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';

/**
 * Shrikumar, Greenside, Shcherbina & Kundaje (2016). Not Just a Black Box: Learning Important Features Through
 * Propagating Activation Differences.
 * @example const e = await inputXGradient({ model, input, target: 3, params: { reduce: 'sum' }, seed: 0, batchSize: 1 });
 */
export async function inputXGradient(req: ExplainRequest): Promise<Explanation> {
  const { grad } = await inputGradient(req, GRADIENT);
  const data = grad.data.map((g, i) => g * req.input.data[i]);
  return inputExplanation({ data, shape: grad.shape }, (req.params.reduce ?? 'sum') as Reduction, true, 1);
}

export const inputXGradientSpec: ExplainerSpec = {
  name: 'input-x-gradient',
  title: 'Input x Gradient',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Shrikumar, Greenside, Shcherbina & Kundaje (2016). Not Just a Black Box: Learning Important Features Through Propagating Activation Differences.',
  description: 'Each input value times the gradient of the target logit with respect to it.',
  params: [reduceParam('sum')],
  explain: inputXGradient,
};
