/**
 * Rule sets (Zennit's composites): the exact gradient, Captum's GuidedBackprop and Deconvolution, which
 * replace only the ReLU backward and keep every other op (MaxPool, BatchNorm, Conv, Clip/ReLU6) exact, and the
 * LRP composites of Zennit (Epsilon everywhere, EpsilonPlusFlat, EpsilonGammaBox) with BatchNorm folding.
 */
import { foldBatchNorm, foldBatchNormAsOrt } from './canonizers.js';
import type { Composite, CompositeEntry, NodeMatcher, Rule } from './rule.js';
import { opTypes } from './rule.js';
import { deconvnetReluRule, guidedReluRule } from './rules/activation.js';
import { GRADIENT_RULES } from './rules/index.js';
import { alphaBetaRule, epsilonRule, flatRule, gammaRule, lrpPassRule, normRule, zBoxRule, zPlusRule } from './rules/lrp.js';

const exactEntries: readonly CompositeEntry[] = Object.entries(GRADIENT_RULES).map(([op, rule]) => ({ match: opTypes(op), rule }));

/** BatchNorm right after a Conv is folded into it first, as onnxruntime folds it (see foldBatchNormAsOrt). */
const EXACT_CANONIZERS = [foldBatchNormAsOrt];

/** A composite that puts `overrides` (first match wins) in front of the exact rules. */
export function withOverrides(name: string, overrides: readonly CompositeEntry[]): Composite {
  return { name, entries: [...overrides, ...exactEntries], canonizers: EXACT_CANONIZERS };
}

/** The exact gradient everywhere. */
export const GRADIENT: Composite = { name: 'gradient', entries: exactEntries, canonizers: EXACT_CANONIZERS };

/** Guided backpropagation (Springenberg et al., 2015), as Captum's GuidedBackprop: only ReLU is modified. */
export const GUIDED: Composite = withOverrides('guided', [{ match: opTypes('Relu'), rule: guidedReluRule }]);

/** Deconvnet (Zeiler & Fergus, 2014), as Captum's Deconvolution: only ReLU is modified. */
export const DECONVNET: Composite = withOverrides('deconvnet', [{ match: opTypes('Relu'), rule: deconvnetReluRule }]);

const LINEAR_OPS = ['Conv', 'Gemm'];
const ACTIVATIONS = opTypes('Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish');

/** The first Conv/Gemm in topological order (Zennit's "first layer", named_modules order for a Sequential net). */
export const firstLinear: NodeMatcher = (node, graph) => graph.nodes.find((n) => LINEAR_OPS.includes(n.opType)) === node;

export const LRP_COMPOSITES = ['epsilon', 'epsilon-plus-flat', 'epsilon-gamma-box', 'epsilon-alpha2-beta1'] as const;
export type LrpCompositeName = (typeof LRP_COMPOSITES)[number];

export interface LrpOptions {
  /** Stabiliser of every rule and Epsilon's epsilon (Zennit's default 1e-6). */
  epsilon?: number;
  /** Gamma of EpsilonGammaBox (default 0.25). */
  gamma?: number;
  /** ZBox bounds of the input in model-input units, one value or one per channel (epsilon-gamma-box). */
  low?: readonly number[];
  high?: readonly number[];
}

/**
 * An LRP composite as Zennit's: activations Pass, Gemm layers Epsilon; Conv layers Epsilon ('epsilon'), or
 * Flat on the first layer and ZPlus on the others ('epsilon-plus-flat'), or ZBox on the first layer and Gamma on
 * the others ('epsilon-gamma-box'), or AlphaBeta(2, 1) ('epsilon-alpha2-beta1'); every other op keeps its exact
 * gradient (max-pool winner-take-all), except sums (Add) and average pooling, which take Norm.
 * BatchNorm is folded into the preceding Conv first.
 * Kohlbrenner et al. (2020). Towards Best Practice in Explaining Neural Network Decisions with LRP.
 * @example const c = lrpComposite('epsilon-gamma-box', { low: [0], high: [1] });
 */
export function lrpComposite(name: LrpCompositeName, o: LrpOptions = {}): Composite {
  const eps = o.epsilon ?? 1e-6;
  const gamma = o.gamma ?? 0.25;
  const conv = opTypes('Conv');
  const linear: CompositeEntry[] = [{ match: opTypes('Gemm'), rule: epsilonRule(eps) }];
  let first: CompositeEntry[] = [];
  let convs: CompositeEntry[] = [{ match: conv, rule: epsilonRule(eps) }];
  let id = `lrp-${name}(eps=${eps}`;
  if (name === 'epsilon-plus-flat') {
    first = [{ match: (n, g) => firstLinear(n, g) && n.opType === 'Conv', rule: flatRule(eps) }];
    convs = [{ match: conv, rule: zPlusRule(eps) }];
  } else if (name === 'epsilon-gamma-box') {
    const low = o.low ?? [0];
    const high = o.high ?? [1];
    first = [{ match: (n, g) => firstLinear(n, g) && n.opType === 'Conv', rule: zBoxRule(low, high, eps) }];
    convs = [{ match: conv, rule: gammaRule(gamma, eps) }];
    id += `,gamma=${gamma},low=${low.join(',')},high=${high.join(',')}`;
  } else if (name === 'epsilon-alpha2-beta1') {
    convs = [{ match: conv, rule: alphaBetaRule(2, 1, eps) }];
  }
  // Norm for sums and average pooling, as Zennit's layer_map_base ((Sum, AvgPool) -> Norm).
  const norm: CompositeEntry[] = ['Add', 'AveragePool', 'GlobalAveragePool'].map((op) => ({ match: opTypes(op), rule: normRule(GRADIENT_RULES[op], eps) }));
  return { name: `${id})`, canonizers: [foldBatchNorm], entries: [...first, ...convs, ...linear, { match: ACTIVATIONS, rule: lrpPassRule }, ...norm, ...exactEntries] };
}

export const COMPOSITES = { gradient: GRADIENT, guided: GUIDED, deconvnet: DECONVNET } as const satisfies Record<string, Composite>;
export type CompositeName = keyof typeof COMPOSITES;

export type { Composite, Rule };
