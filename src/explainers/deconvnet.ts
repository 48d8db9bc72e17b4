/** Deconvnet: the gradient with ReLUs passing relu(g) regardless of the forward input, as Captum's Deconvolution. */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { DECONVNET } from '../core/grad/composites.js';
import { inputGradient } from '../core/grad/explain-helpers.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';

/**
 * Zeiler & Fergus (2014). Visualizing and Understanding Convolutional Networks.
 * @example const e = await deconvnet({ model, input, target: 3, params: {}, seed: 0, batchSize: 1 });
 */
export async function deconvnet(req: ExplainRequest): Promise<Explanation> {
  const { grad } = await inputGradient(req, DECONVNET);
  return inputExplanation(grad, (req.params.reduce ?? 'max-abs') as Reduction, true, 1);
}

export const deconvnetSpec: ExplainerSpec = {
  name: 'deconvnet',
  title: 'Deconvnet',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Zeiler & Fergus (2014). Visualizing and Understanding Convolutional Networks.',
  description: 'Backpropagation where each ReLU passes relu of the incoming gradient, ignoring the forward mask.',
  params: [reduceParam('max-abs')],
  explain: deconvnet,
};
