/**
 * Integrated Gradients: (x - x') times the path integral of the gradient from a baseline x' to x, with
 * Captum's integration rules (Gauss-Legendre by default; its riemann_trapezoid, whose weights sum to
 * (n-1)/n). Steps run in batches of `batchSize`. Reports the completeness gap f(x) - f(x') - sum(attr).
 */
import { InvalidInputError } from '../core/errors.js';
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { GRADIENT } from '../core/grad/composites.js';
import { inputExplanation, reduceParam, type Reduction } from '../core/grad/maps.js';
import { gaussLegendre, riemannTrapezoid } from '../core/grad/quadrature.js';
import { gradientSession, oneHotTargets, runGradients, targetRowShape } from '../core/grad/run.js';
import type { ParamSpec } from '../core/params.js';
import { blurImage } from '../core/perturbation/baseline.js';
import { sizeOf, type Tensor } from '../core/tensor.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'baseline', type: 'enum', values: ['zeros', 'blur'], default: 'zeros', description: 'the reference input: zeros (in model-input units) or a Gaussian blur of the input (11x11, sigma 5); the library also takes a custom baseline tensor' },
  { name: 'steps', type: 'integer', default: 50, min: 1, max: 1024, description: 'number of integration points' },
  { name: 'integration', type: 'enum', values: ['gauss-legendre', 'riemann-trapezoid'], default: 'gauss-legendre', description: "integration rule (Captum's gausslegendre or riemann_trapezoid)" },
  reduceParam('sum'),
];

/**
 * Sundararajan, Taly & Yan (2017). Axiomatic Attribution for Deep Networks.
 * @example const e = await integratedGradients({ model, input, target: 3, params: { steps: 32 }, seed: 0, batchSize: 16 });
 */
export async function integratedGradients(req: ExplainRequest, custom?: { baseline?: Tensor }): Promise<Explanation> {
  const { model, input } = req;
  model.checkTarget(req.target);
  const steps = Number(req.params.steps ?? 50);
  const rule = req.params.integration === 'riemann-trapezoid' ? riemannTrapezoid(steps) : gaussLegendre(steps);
  const per = sizeOf(input.shape.slice(1));
  let base: Float32Array;
  if (custom?.baseline) {
    if (custom.baseline.data.length !== per) throw new InvalidInputError(`baseline has ${custom.baseline.data.length} values; the input has ${per}`, { param: 'baseline' });
    base = custom.baseline.data;
  } else base = req.params.baseline === 'blur' ? blurImage(input) : new Float32Array(per);

  // Path points in float32 arithmetic exactly as Captum computes them (baseline + alpha * (input - baseline) on
  // float32 tensors, the Python-float alpha rounded to float32 first). Computing alpha * x in float64 and
  // rounding once differs in the last bit for some pixels, and on fmnist_cnn/fmnist_test_00030 that 1-ulp change
  // at alpha = 27/31 flips a near-tie (ReLU or max-pool) and changes that step's gradient by 0.4%: relative L2
  // 2.9e-4 vs Captum's trapezoid map (Gauss-Legendre's alphas happened to stay clear of it).
  const points = new Float32Array(steps * per);
  const f = Math.fround;
  for (let k = 0; k < steps; k++) {
    const a = f(rule.alphas[k]);
    for (let i = 0; i < per; i++) points[k * per + i] = f(base[i] + f(a * f(input.data[i] - base[i])));
  }
  const opts = { rules: GRADIENT };
  const classes = targetRowShape(await gradientSession(model, opts))[0];
  const r = await runGradients(model, opts, { data: points, shape: [steps, ...input.shape.slice(1)] }, oneHotTargets(new Array(steps).fill(req.target), classes), req.batchSize, req.onProgress);
  const g = r.inputGrad!.data;
  const acc = new Float64Array(per);
  for (let k = 0; k < steps; k++) {
    const w = rule.weights[k];
    for (let i = 0; i < per; i++) acc[i] += w * g[k * per + i];
  }
  const attr = new Float32Array(per);
  let sum = 0;
  for (let i = 0; i < per; i++) {
    attr[i] = (input.data[i] - base[i]) * acc[i];
    sum += attr[i];
  }
  // f(x) and f(baseline) for the completeness gap: two forward passes of the plain model.
  const session = await model.session();
  const name = model.manifest.input.name;
  const fx = (await session.run({ [name]: input }))[model.manifest.output.name].data[req.target];
  const fb = (await session.run({ [name]: { data: base, shape: input.shape } }))[model.manifest.output.name].data[req.target];
  const gap = fx - fb - sum;
  return inputExplanation({ data: attr, shape: [...input.shape] }, (req.params.reduce ?? 'sum') as Reduction, true, steps + 2, {
    completenessGap: gap,
    relativeCompletenessGap: Math.abs(gap) / Math.max(Math.abs(fx - fb), 1e-12),
    targetScore: fx,
    baselineScore: fb,
    sumAttribution: sum,
    integration: req.params.integration ?? 'gauss-legendre',
    steps,
  });
}

export const integratedGradientsSpec: ExplainerSpec = {
  name: 'integrated-gradients',
  title: 'Integrated Gradients',
  family: 'gradient',
  needsGradients: true,
  shardable: false,
  paper: 'Sundararajan, Taly & Yan (2017). Axiomatic Attribution for Deep Networks.',
  description: 'Input minus baseline times the average gradient along the straight path from the baseline; reports the completeness gap.',
  params: PARAMS,
  explain: (req) => integratedGradients(req),
};
