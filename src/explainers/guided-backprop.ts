/** Guided Backpropagation: the gradient with ReLUs passing relu(g) where x > 0, as Captum's GuidedBackprop. */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { GUIDED } from '../core/grad/composites.js';
import { inputGradient } from '../core/grad/explain-helpers.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';

/**
 * Springenberg, Dosovitskiy, Brox & Riedmiller (2015). Striving for Simplicity: The All Convolutional Net.
 * @example const e = await guidedBackprop({ model, input, target: 3, params: {}, seed: 0, batchSize: 1 });
 */
export async function guidedBackprop(req: ExplainRequest): Promise<Explanation> {
  const { grad } = await inputGradient(req, GUIDED);
  return inputExplanation(grad, (req.params.reduce ?? 'max-abs') as Reduction, true, 1);
}

export const guidedBackpropSpec: ExplainerSpec = {
  name: 'guided-backprop',
  title: 'Guided Backpropagation',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Springenberg, Dosovitskiy, Brox & Riedmiller (2015). Striving for Simplicity: The All Convolutional Net.',
  description: 'Backpropagation where each ReLU passes only positive gradients at positive inputs.',
  params: [reduceParam('max-abs')],
  explain: guidedBackprop,
};
