/**
 * The method table as plain JSON: what `xai methods --json` prints and `GET /api/methods` serves.
 */
import { COMMON_LIMITS } from '../core/explain.js';
import type { MethodFamily } from '../core/explainer.js';
import type { ParamSpec } from '../core/params.js';
import { EXPLAINERS } from './index.js';
import type { ExplainerSpec } from '../core/explainer.js';

export interface MethodDescription {
  name: string;
  title: string;
  family: MethodFamily;
  needsGradients: boolean;
  shardable: boolean;
  paper: string;
  description: string;
  params: ParamSpec[];
}

/** Options every method takes, besides its own parameters. */
export const COMMON_OPTIONS: ParamSpec[] = [
  { name: 'target', type: 'integer', min: 0, description: 'class index to explain; default: the top predicted class' },
  { name: 'layer', type: 'string', description: 'ONNX tensor name of an inner layer (CAM and layer methods); default from the manifest' },
  { name: 'seed', type: 'integer', ...COMMON_LIMITS.seed, description: 'seed of every random choice' },
  { name: 'batchSize', type: 'integer', ...COMMON_LIMITS.batchSize, description: 'images per model run' },
];

export function describeMethods(): { common: ParamSpec[]; methods: MethodDescription[] } {
  const methods = Object.values(EXPLAINERS as Record<string, ExplainerSpec>).map((s) => ({
    name: s.name,
    title: s.title,
    family: s.family,
    needsGradients: s.needsGradients,
    shardable: s.shardable,
    paper: s.paper,
    description: s.description,
    params: s.params.map((p) => ({ ...p })),
  }));
  return { common: COMMON_OPTIONS, methods };
}
