/**
 * SmoothGrad: the mean of saliency maps over noisy copies of the input (Gaussian noise with sigma a fraction
 * of the input's range), or of their squares (SmoothGrad-Squared), as Captum's NoiseTunnel over Saliency.
 * Noise of sample i depends only on (seed, i), so any batchSize gives the same result.
 */
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { GRADIENT } from '../core/grad/composites.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';
import { gradientSession, oneHotTargets, runGradients, targetRowShape } from '../core/grad/run.js';
import type { ParamSpec } from '../core/params.js';
import { sampleRng } from '../core/perturbation/prng.js';
import { sizeOf } from '../core/tensor.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'samples', type: 'integer', default: 25, min: 1, max: 1024, description: 'number of noisy copies' },
  { name: 'sigma', type: 'number', default: 0.15, min: 0, max: 10, description: 'noise standard deviation as a fraction of the input range (max - min)' },
  { name: 'variant', type: 'enum', values: ['smoothgrad', 'smoothgrad-sq'], default: 'smoothgrad', description: 'mean of the maps, or mean of their squares' },
  { name: 'abs', type: 'boolean', default: true, description: 'average |gradient| (saliency, Captum default) instead of the signed gradient' },
  reduceParam('max-abs'),
];

/**
 * Smilkov, Thorat, Kim, Viégas & Wattenberg (2017). SmoothGrad: removing noise by adding noise.
 * @example const e = await smoothGrad({ model, input, target: 3, params: { samples: 25, sigma: 0.15 }, seed: 7, batchSize: 8 });
 */
export async function smoothGrad(req: ExplainRequest): Promise<Explanation> {
  const { model, input } = req;
  model.checkTarget(req.target);
  const n = Number(req.params.samples ?? 25);
  const per = sizeOf(input.shape.slice(1));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sd = Number(req.params.sigma ?? 0.15) * (hi - lo);
  const noisy = new Float32Array(n * per);
  for (let s = 0; s < n; s++) {
    const r = sampleRng(req.seed, s, 0);
    for (let i = 0; i < per; i++) {
      // Box-Muller from two counter-based uniforms.
      const u1 = 1 - r.uniform(2 * i);
      const u2 = r.uniform(2 * i + 1);
      noisy[s * per + i] = input.data[i] + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
  const opts = { rules: GRADIENT };
  const classes = targetRowShape(await gradientSession(model, opts))[0];
  const res = await runGradients(model, opts, { data: noisy, shape: [n, ...input.shape.slice(1)] }, oneHotTargets(new Array(n).fill(req.target), classes), req.batchSize, req.onProgress);
  const g = res.inputGrad!.data;
  const abs = req.params.abs !== false;
  const sq = req.params.variant === 'smoothgrad-sq';
  const acc = new Float64Array(per);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < per; i++) {
      const v = abs ? Math.abs(g[s * per + i]) : g[s * per + i];
      acc[i] += sq ? v * v : v;
    }
  }
  const attr = Float32Array.from(acc, (v) => v / n);
  return inputExplanation({ data: attr, shape: [...input.shape] }, (req.params.reduce ?? 'max-abs') as Reduction, !abs && !sq, n, { noiseStd: sd });
}

export const smoothGradSpec: ExplainerSpec = {
  name: 'smoothgrad',
  title: 'SmoothGrad',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Smilkov, Thorat, Kim, Viégas & Wattenberg (2017). SmoothGrad: removing noise by adding noise.',
  description: 'Average of saliency maps of noisy copies of the input (or of their squares).',
  params: PARAMS,
  explain: smoothGrad,
};
