/**
 * Rule sets (Zennit's composites): the exact gradient, and Captum's GuidedBackprop and Deconvolution, which
 * replace only the ReLU backward and keep every other op (MaxPool, BatchNorm, Conv, Clip/ReLU6) exact.
 */
import type { Composite, CompositeEntry, Rule } from './rule.js';
import { opTypes } from './rule.js';
import { deconvnetReluRule, guidedReluRule } from './rules/activation.js';
import { GRADIENT_RULES } from './rules/index.js';

const exactEntries: readonly CompositeEntry[] = Object.entries(GRADIENT_RULES).map(([op, rule]) => ({ match: opTypes(op), rule }));

/** A composite that puts `overrides` (first match wins) in front of the exact rules. */
export function withOverrides(name: string, overrides: readonly CompositeEntry[]): Composite {
  return { name, entries: [...overrides, ...exactEntries] };
}

/** The exact gradient everywhere. */
export const GRADIENT: Composite = { name: 'gradient', entries: exactEntries };

/** Guided backpropagation (Springenberg et al., 2015), as Captum's GuidedBackprop: only ReLU is modified. */
export const GUIDED: Composite = withOverrides('guided', [{ match: opTypes('Relu'), rule: guidedReluRule }]);

/** Deconvnet (Zeiler & Fergus, 2014), as Captum's Deconvolution: only ReLU is modified. */
export const DECONVNET: Composite = withOverrides('deconvnet', [{ match: opTypes('Relu'), rule: deconvnetReluRule }]);

export const COMPOSITES = { gradient: GRADIENT, guided: GUIDED, deconvnet: DECONVNET } as const satisfies Record<string, Composite>;
export type CompositeName = keyof typeof COMPOSITES;

export type { Composite, Rule };
