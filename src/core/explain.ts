/**
 * The library's one entry point for explanations: validates the method, parameters and target once, fills
 * defaults, runs the method and reports what ran (backend, timings, parameters with defaults). The CLI, the
 * HTTP API and the browser all call this.
 */
import { getExplainer } from '../explainers/index.js';
import { InvalidInputError } from './errors.js';
import type { ExplainRequest, Explanation } from './explainer.js';
import type { LoadedModel } from './models/loaded-model.js';
import { resolveParams, type ParamValues } from './params.js';
import { predict, type Prediction } from './predict.js';
import type { BackendInfo } from './runtime/types.js';
import { sizeOf, type Tensor } from './tensor.js';
import { explainSharded } from './perturbation/shards.js';
import type { ShardExecutor } from './perturbation/executors/types.js';

/** Bounds of the options every method shares. */
export const COMMON_LIMITS = {
  seed: { min: 0, max: 2 ** 32 - 1, default: 0 },
  batchSize: { min: 1, max: 256, default: 16 },
} as const;

export interface ExplainOptions {
  method: string;
  /** Class to explain; default: the top predicted class. */
  target?: number;
  layer?: string;
  params?: Record<string, unknown>;
  seed?: number;
  batchSize?: number;
  /** Split a shardable method into this many shards (default 1); any split gives the same result. */
  shards?: number;
  /** Where shards run (default: in this process). */
  executors?: readonly ShardExecutor[];
  onProgress?: (done: number, total: number) => void;
  /** Called with the validated request before any explanation work, e.g. to enforce a budget. */
  beforeRun?: (req: ExplainRequest) => Promise<void> | void;
}

/** Most shards one explanation may be split into. */
export const MAX_SHARDS = 1024;

export interface ExplainResult {
  method: string;
  model: string;
  target: number;
  targetLabel: string;
  prediction: Prediction;
  params: ParamValues;
  seed: number;
  batchSize: number;
  shards: number;
  layer?: string;
  backend: BackendInfo;
  timings: { predictMs: number; explainMs: number };
  explanation: Explanation;
}

function checkInt(name: string, v: number, lim: { min: number; max: number }): number {
  if (!Number.isInteger(v) || v < lim.min || v > lim.max) {
    throw new InvalidInputError(`${name} must be an integer from ${lim.min} to ${lim.max}, got ${v}`, { param: name });
  }
  return v;
}

/** Check that a tensor is exactly one input of this model. */
export function checkInputTensor(model: LoadedModel, input: Tensor): void {
  const want = model.inputShape(1);
  if (input.shape.length !== 4 || input.shape.some((d, i) => d !== want[i]) || input.data.length !== sizeOf(want)) {
    throw new InvalidInputError(`input tensor has shape [${input.shape.join(', ')}] (${input.data.length} values); model "${model.id}" takes [${want.join(', ')}] (${sizeOf(want)} values)`, { param: 'tensor' });
  }
}

/**
 * Explain why `model` scores `input` as it does.
 * @example const r = await explain(model, tensor, { method: 'saliency' });
 */
export async function explain(model: LoadedModel, input: Tensor, opts: ExplainOptions): Promise<ExplainResult> {
  const spec = getExplainer(opts.method);
  const params = resolveParams(spec.params, opts.params ?? {}, opts.method);
  const seed = checkInt('seed', opts.seed ?? COMMON_LIMITS.seed.default, COMMON_LIMITS.seed);
  const batchSize = checkInt('batchSize', opts.batchSize ?? COMMON_LIMITS.batchSize.default, COMMON_LIMITS.batchSize);
  checkInputTensor(model, input);
  const t0 = performance.now();
  const [prediction] = await predict(model, input);
  const target = opts.target === undefined ? prediction.top[0].index : model.checkTarget(opts.target);
  const t1 = performance.now();
  const shards = checkInt('shards', opts.shards ?? 1, { min: 1, max: MAX_SHARDS });
  const req: ExplainRequest = { model, input, target, layer: opts.layer, params, seed, batchSize, onProgress: opts.onProgress };
  await opts.beforeRun?.(req);
  let explanation: Explanation;
  if (shards > 1 || opts.executors) {
    if (!spec.shardable) throw new InvalidInputError(`method "${spec.name}" is not shardable; use shards=1`, { param: 'shards' });
    explanation = await explainSharded(spec.name, req, { shards, executors: opts.executors });
  } else {
    explanation = await spec.explain(req);
  }
  const t2 = performance.now();
  const session = await model.session();
  return {
    method: spec.name,
    model: model.id,
    target,
    targetLabel: model.label(target),
    prediction,
    params,
    seed,
    batchSize,
    shards,
    ...(opts.layer ? { layer: opts.layer } : {}),
    backend: session.backend,
    timings: { predictMs: t1 - t0, explainMs: t2 - t1 },
    explanation,
  };
}
