/**
 * Perturbation methods by name, for running shards that arrive as JSON (worker threads, HTTP). The explainer
 * modules define the methods; this table only names them. The evaluation methods (deletion, insertion) are
 * shardable the same way but are not explainers.
 */
import { NotFoundError } from '../errors.js';
import { kernelShapMethod } from '../../explainers/kernel-shap.js';
import { limeMethod } from '../../explainers/lime.js';
import { occlusionMethod } from '../../explainers/occlusion.js';
import { riseMethod } from '../../explainers/rise.js';
import { scoreCamMethod } from '../../explainers/score-cam.js';
import { deletionMethod, insertionMethod } from './evaluation.js';
import type { PerturbationMethod } from './types.js';

export const PERTURBATION_METHODS: Readonly<Record<string, PerturbationMethod<any, any>>> = {
  occlusion: occlusionMethod,
  rise: riseMethod,
  lime: limeMethod,
  'kernel-shap': kernelShapMethod,
  'score-cam': scoreCamMethod,
  deletion: deletionMethod,
  insertion: insertionMethod,
};

export function perturbationMethod(name: string): PerturbationMethod {
  const m = PERTURBATION_METHODS[name];
  if (!m) throw new NotFoundError(`method ${JSON.stringify(name)} cannot run as shards; shardable: ${Object.keys(PERTURBATION_METHODS).join(', ')}`, { param: 'method', code: 'unknown_method' });
  return m;
}
