/**
 * Shared steps of the gradient explainers: the input gradient of the request's target under a rule set, and
 * the forward activations of inner tensors.
 */
import type { ExplainRequest } from '../explainer.js';
import { exposeTensors } from '../onnx/expose.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { Tensor } from '../tensor.js';
import type { Composite } from './rule.js';
import { gradientSession, oneHotTargets, runGradients, targetRowShape } from './run.js';

/** Gradient of the target logit w.r.t. the input, under `rules`. */
export async function inputGradient(req: ExplainRequest, rules: Composite): Promise<{ grad: Tensor; logits: Tensor }> {
  req.model.checkTarget(req.target);
  const opts = { rules };
  const classes = targetRowShape(await gradientSession(req.model, opts))[0];
  const r = await runGradients(req.model, opts, req.input, oneHotTargets([req.target], classes), 1);
  return { grad: r.inputGrad!, logits: r.logits! };
}

/** Forward activations of inner tensors (a cached variant of the model with them as extra outputs). */
export async function activations(model: LoadedModel, input: Tensor, tensors: readonly string[]): Promise<Record<string, Tensor>> {
  const s = await model.variant(`taps|${tensors.join(',')}`, () => exposeTensors(model.bytes, tensors));
  return s.run({ [model.manifest.input.name]: input }, [...tensors]);
}
