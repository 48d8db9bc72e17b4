/**
 * The table of all explanation methods. One entry per method, each defined in its own module; the method
 * name type is derived from this table. Nothing registers itself by import side effect.
 */
import { NotFoundError } from '../core/errors.js';
import type { ExplainerSpec } from '../core/explainer.js';
import { kernelShap } from './kernel-shap.js';
import { lime } from './lime.js';
import { occlusion } from './occlusion.js';
import { rise } from './rise.js';
import { scoreCam } from './score-cam.js';

import { camSpec } from './cam.js';
import { deconvnetSpec } from './deconvnet.js';
import { gradCamPlusPlusSpec } from './grad-cam-plus-plus.js';
import { gradCamSpec } from './grad-cam.js';
import { guidedBackpropSpec } from './guided-backprop.js';
import { guidedGradCamSpec } from './guided-grad-cam.js';
import { inputXGradientSpec } from './input-x-gradient.js';
import { integratedGradientsSpec } from './integrated-gradients.js';
import { lrpSpec } from './lrp.js';
import { saliencySpec } from './saliency.js';
import { smoothGradSpec } from './smoothgrad.js';
import { unitVisualisationSpec } from './unit-visualisation.js';

export const EXPLAINERS = {
  saliency: saliencySpec,
  'input-x-gradient': inputXGradientSpec,
  smoothgrad: smoothGradSpec,
  'integrated-gradients': integratedGradientsSpec,
  'guided-backprop': guidedBackpropSpec,
  deconvnet: deconvnetSpec,
  'grad-cam': gradCamSpec,
  'grad-cam++': gradCamPlusPlusSpec,
  'guided-grad-cam': guidedGradCamSpec,
  cam: camSpec,
  'unit-visualisation': unitVisualisationSpec,
  lrp: lrpSpec,
  occlusion,
  rise,
  lime,
  'kernel-shap': kernelShap,
  'score-cam': scoreCam,
} as const satisfies Record<string, ExplainerSpec>;

export type MethodName = keyof typeof EXPLAINERS;

export const METHOD_NAMES = Object.keys(EXPLAINERS) as MethodName[];

/** Look a method up by name; the error lists the available ones. */
export function getExplainer(name: string): ExplainerSpec {
  const spec = (EXPLAINERS as Record<string, ExplainerSpec>)[name];
  if (!spec) {
    const list = METHOD_NAMES.length ? METHOD_NAMES.join(', ') : '(none yet)';
    throw new NotFoundError(`unknown method ${JSON.stringify(name)}; available: ${list}`, { param: 'method', code: 'unknown_method' });
  }
  return spec;
}
