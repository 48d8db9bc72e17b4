/**
 * Layer-wise Relevance Propagation with Zennit's composites: 'epsilon' (Epsilon on every Conv and Linear),
 * 'epsilon-plus-flat' (Flat first layer, ZPlus convs, Epsilon linear) and 'epsilon-gamma-box' (ZBox first layer
 * with the input's value range as box, Gamma convs, Epsilon linear) and 'epsilon-alpha2-beta1' (AlphaBeta(2, 1)
 * convs, Epsilon linear); BatchNorm folded into the preceding Conv.
 * Relevance starts as the target logit (one-hot times f_t(x)), as zennit.attribution.Gradient with
 * attr_output = one_hot * logits; the result is linear in it, so the graph runs with the one-hot and the map is
 * scaled by f_t(x).
 */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { InvalidInputError } from '../core/errors.js';
import { LRP_COMPOSITES, lrpComposite, type LrpCompositeName } from '../core/grad/composites.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';
import { gradientSession, oneHotTargets, runGradients, targetRowShape } from '../core/grad/run.js';
import type { LoadedModel } from '../core/models/loaded-model.js';
import type { ParamSpec } from '../core/params.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'composite', type: 'enum', values: LRP_COMPOSITES, default: 'epsilon-plus-flat', description: "Zennit's rule composite: epsilon, epsilon-plus-flat, epsilon-gamma-box or epsilon-alpha2-beta1" },
  { name: 'epsilon', type: 'number', default: 1e-6, min: 1e-12, max: 10, description: "Epsilon rule's epsilon and every rule's stabiliser" },
  { name: 'gamma', type: 'number', default: 0.25, min: 0, max: 100, description: 'Gamma rule strength (epsilon-gamma-box)' },
  reduceParam('sum'),
];

/** The model input's value range per channel: pixel values 0 and 255 through the manifest's preprocessing. */
export function inputBox(model: LoadedModel): { low: number[]; high: number[] } {
  const p = model.manifest.preprocessing;
  const c = model.manifest.input.shape[1];
  const at = (v: readonly number[], i: number) => (v.length === 1 ? v[0] : v[i]);
  const low = Array.from({ length: c }, (_, i) => (0 - at(p.mean, i)) / at(p.std, i));
  const high = Array.from({ length: c }, (_, i) => (p.scale - at(p.mean, i)) / at(p.std, i));
  return { low, high };
}

/**
 * Bach, Binder, Montavon, Klauschen, Müller & Samek (2015). On Pixel-Wise Explanations for Non-Linear Classifier
 * Decisions by Layer-Wise Relevance Propagation.
 * @example const e = await lrp({ model, input, target: 3, params: { composite: 'epsilon-gamma-box' }, seed: 0, batchSize: 1 });
 */
export async function lrp(req: ExplainRequest, custom?: { low?: number[]; high?: number[] }): Promise<Explanation> {
  const { model, input } = req;
  model.checkTarget(req.target);
  const name = (req.params.composite ?? 'epsilon-plus-flat') as LrpCompositeName;
  const box = inputBox(model);
  const low = custom?.low ?? box.low;
  const high = custom?.high ?? box.high;
  for (const [k, v] of [['low', low], ['high', high]] as const) {
    if (v.length !== 1 && v.length !== input.shape[1]) throw new InvalidInputError(`${k} has ${v.length} values; give 1 or one per input channel (${input.shape[1]})`, { param: k });
  }
  const rules = lrpComposite(name, { epsilon: Number(req.params.epsilon ?? 1e-6), gamma: Number(req.params.gamma ?? 0.25), low, high });
  const opts = { rules };
  const classes = targetRowShape(await gradientSession(model, opts))[0];
  const r = await runGradients(model, opts, input, oneHotTargets([req.target], classes), 1);
  const logit = r.logits!.data[req.target];
  const data = Float32Array.from(r.inputGrad!.data, (v) => v * logit);
  let sum = 0;
  for (const v of data) sum += v;
  return inputExplanation({ data, shape: r.inputGrad!.shape }, (req.params.reduce ?? 'sum') as Reduction, true, 1, {
    composite: name,
    targetScore: logit,
    relevanceSum: sum,
    conservation: sum / logit,
  });
}

export const lrpSpec: ExplainerSpec = {
  name: 'lrp',
  title: 'Layer-wise Relevance Propagation',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Bach, Binder, Montavon, Klauschen, Müller & Samek (2015). On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation.',
  description: "Relevance of the target logit propagated back layer by layer with Zennit's LRP rule composites (epsilon, epsilon-plus-flat, epsilon-gamma-box, epsilon-alpha2-beta1).",
  params: PARAMS,
  explain: (req) => lrp(req),
};
