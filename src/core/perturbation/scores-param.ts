/**
 * The `scores` parameter shared by perturbation methods: explain class probabilities (softmax of the
 * logits) or the raw logits.
 */
import type { ParamSpec } from '../params.js';

export function scoresParam(defaultKind: 'probabilities' | 'logits'): ParamSpec {
  return {
    name: 'scores',
    type: 'enum',
    values: ['probabilities', 'logits'],
    default: defaultKind,
    description: 'model scores to explain: class probabilities (softmax of the logits) or the raw logits',
  };
}

export function scoreKind(v: unknown): 'raw' | 'probabilities' {
  return v === 'logits' ? 'raw' : 'probabilities';
}
