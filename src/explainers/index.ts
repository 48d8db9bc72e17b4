/**
 * The table of all explanation methods. One entry per method, each defined in its own module; the method
 * name type is derived from this table. Nothing registers itself by import side effect.
 */
import { NotFoundError } from '../core/errors.js';
import type { ExplainerSpec } from '../core/explainer.js';

export const EXPLAINERS = {} as const satisfies Record<string, ExplainerSpec>;

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
