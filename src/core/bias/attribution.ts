/**
 * Any explanation method of the toolkit as the attribution function of the evidence analysis (evidence.ts):
 * the method's `map` (input resolution) for one input and target. The spec is passed in, so src/core does
 * not depend on the explainer table; the CLI picks Grad-CAM by default.
 */
import type { ExplainerSpec } from '../explainer.js';
import type { LoadedModel } from '../models/loaded-model.js';
import { resolveParams } from '../params.js';
import type { AttributionFn } from './evidence.js';

export interface ExplainerAttributionOptions {
  /** Raw method parameters; validated once here against the method's schema. */
  readonly params?: Record<string, unknown>;
  readonly seed?: number;
  readonly batchSize?: number;
  /** Inner layer for CAM and layer methods; default from the manifest. */
  readonly layer?: string;
}

/**
 * Wrap an explainer spec as an AttributionFn.
 * @example const attribution = explainerAttribution(getExplainer('grad-cam'), model)
 */
export function explainerAttribution(spec: ExplainerSpec, model: LoadedModel, opts: ExplainerAttributionOptions = {}): AttributionFn {
  const params = resolveParams(spec.params, opts.params ?? {}, spec.name);
  return async (input, target) => {
    const e = await spec.explain({ model, input, target, params, seed: opts.seed ?? 0, batchSize: opts.batchSize ?? 32, ...(opts.layer ? { layer: opts.layer } : {}) });
    return e.map;
  };
}
