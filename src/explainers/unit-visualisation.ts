/**
 * Unit visualisation: project one channel of an inner layer back to pixels with the deconvnet (or guided)
 * backward pass, as Zeiler & Fergus: by default the single strongest activation of the channel, others zeroed;
 * or the channel's spatial mean. The channel defaults to the most active one. The request's target is unused.
 */
import { InvalidInputError } from '../core/errors.js';
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { DECONVNET, GUIDED } from '../core/grad/composites.js';
import { activations } from '../core/grad/explain-helpers.js';
import { camLayerOf } from '../core/grad/layers.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';
import { runGradients } from '../core/grad/run.js';
import type { ParamSpec } from '../core/params.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'channel', type: 'integer', min: 0, description: 'channel of the layer to project; default the channel with the strongest activation' },
  { name: 'unit', type: 'enum', values: ['max', 'channel-mean'], default: 'max', description: "project the channel's strongest activation (Zeiler & Fergus) or its spatial mean" },
  { name: 'rule', type: 'enum', values: ['deconvnet', 'guided'], default: 'deconvnet', description: 'backward pass through ReLUs' },
  reduceParam('max-abs'),
];

/**
 * Zeiler & Fergus (2014). Visualizing and Understanding Convolutional Networks.
 * @example const e = await unitVisualisation({ model, input, target: 0, layer: '/conv2/Conv_output_0', params: { channel: 5 }, seed: 0, batchSize: 1 });
 */
export async function unitVisualisation(req: ExplainRequest): Promise<Explanation> {
  const { layer, shape } = camLayerOf(req);
  const [, C, h, w] = shape;
  const hw = h * w;
  const a = (await activations(req.model, req.input, [layer]))[layer].data;
  let channel = req.params.channel as number | undefined;
  if (channel !== undefined && channel >= C) throw new InvalidInputError(`channel ${channel} is outside 0..${C - 1} of layer "${layer}"`, { param: 'channel' });
  let best = -Infinity;
  let pos = 0;
  for (let c = 0; c < C; c++) {
    if (channel !== undefined && c !== channel) continue;
    for (let i = 0; i < hw; i++) {
      if (a[c * hw + i] > best) {
        best = a[c * hw + i];
        pos = c * hw + i;
      }
    }
  }
  channel ??= Math.floor(pos / hw);
  const mean = req.params.unit === 'channel-mean';
  const rules = req.params.rule === 'guided' ? GUIDED : DECONVNET;
  const scalar = mean ? ({ kind: 'channel', tensor: layer } as const) : ({ kind: 'unit', tensor: layer } as const);
  const mask = mean ? new Float32Array(C) : new Float32Array(C * hw);
  if (mean) mask[channel] = 1;
  else mask[pos] = 1;
  const r = await runGradients(req.model, { rules, scalar }, req.input, { data: mask, shape: mean ? [1, C] : [1, C, h, w] }, 1);
  const extras = { layer, channel, ...(mean ? {} : { unit: [Math.floor((pos % hw) / w), pos % w], activation: best }) };
  return inputExplanation(r.inputGrad!, (req.params.reduce ?? 'max-abs') as Reduction, true, 2, extras);
}

export const unitVisualisationSpec: ExplainerSpec = {
  name: 'unit-visualisation',
  title: 'Unit visualisation (deconvnet projection)',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Zeiler & Fergus (2014). Visualizing and Understanding Convolutional Networks.',
  description: "Projects one channel of an inner layer (its strongest unit, or its mean) back to pixels; ignores the target.",
  params: PARAMS,
  explain: unitVisualisation,
};
